package handoff

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// IDFile is where Drone and Woodpecker steps, which share only the
// workspace, hand started deploys to the steps that finish them: a line
// "ID ENVIRONMENT" for each (an older file holds an id alone). The
// workspace is the git checkout, so the file is kept in its .git directory,
// where no later step sees it as a change to the checkout (a release tool
// refuses an untracked file); a workspace that is no checkout keeps it at
// its root, as older versions did everywhere.
const IDFile = "rollbar-deploy-id"

// oldIDFile is where older versions kept it, read for a step of such a
// version before.
const oldIDFile = ".rollbar-deploy-id"

// idPath is where the id file of workspace dir goes: in the checkout's git
// directory (.git, or the one a worktree's .git file names), else at the
// root.
func idPath(dir string) string {
	dotgit := filepath.Join(dir, ".git")
	fi, err := os.Stat(dotgit)
	switch {
	case err != nil:
		return filepath.Join(dir, oldIDFile)
	case fi.IsDir():
		return filepath.Join(dotgit, IDFile)
	}
	data, err := os.ReadFile(dotgit)
	gitdir, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir: ")
	if err != nil || !ok {
		return filepath.Join(dir, oldIDFile)
	}
	if !filepath.IsAbs(gitdir) {
		gitdir = filepath.Join(dir, gitdir)
	}
	return filepath.Join(gitdir, IDFile)
}

// SaveIDs keeps the started deploys of workspace dir, by environment; with
// none, the file goes, so the next pipeline does not update a finished
// deploy. A file an older version left at the root goes either way: what it
// held is in pending now.
func SaveIDs(dir string, pending map[string]int64) error {
	path := idPath(dir)
	if old := filepath.Join(dir, oldIDFile); old != path {
		if err := remove(old); err != nil {
			return err
		}
	}
	if len(pending) == 0 {
		return remove(path)
	}
	var b strings.Builder
	for _, env := range slices.Sorted(maps.Keys(pending)) {
		fmt.Fprintf(&b, "%d %s\n", pending[env], env)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

func remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// LoadIDs reads the started deploys kept for workspace dir, by environment
// ("" for an id kept without one), and where it found them; none when there
// is no file. The file an older version left at the root counts too.
func LoadIDs(dir string) (map[string]int64, string, error) {
	var pending map[string]int64
	var found []string
	for _, path := range slices.Compact([]string{filepath.Join(dir, oldIDFile), idPath(dir)}) {
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, path, err
		}
		if pending == nil {
			pending = map[string]int64{}
		}
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			first, env, _ := strings.Cut(strings.TrimSpace(line), " ")
			id, err := strconv.ParseInt(first, 10, 64)
			if err != nil || id <= 0 {
				return nil, path, fmt.Errorf("%s does not hold a deploy id: delete it, or set ROLLBAR_DEPLOY_ID", path)
			}
			pending[strings.TrimSpace(env)] = id
		}
		found = append(found, rel(dir, path))
	}
	return pending, strings.Join(found, " and "), nil
}

// rel names path as the log shows it: from the workspace.
func rel(dir, path string) string {
	if r, err := filepath.Rel(dir, path); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return path
}
