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

// RunFile, beside IDFile, names the run (the CI's run URL) that kept the ids
// there: a workspace can outlive a build (drone exec, a volume), and a later
// build must not finish an earlier build's deploy with its own outcome.
const RunFile = "rollbar-deploy-run"

// Workspace is the directory the steps of a run share, and the run.
type Workspace struct {
	Dir string
	Run string // "" when the CI tells none
}

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

// SaveIDs keeps the started deploys of workspace dir, by environment: the
// change this run made, from read (what the file held when the run read it)
// to pending, is made to the file as it is now, under a lock. Parallel steps
// share the workspace: each writing back what it read would lose the
// deploys the others started or finished meanwhile. With none left, the file
// goes, so the next pipeline does not update a finished deploy. A file an
// older version left at the root goes either way: what it held is read too.
func SaveIDs(ws Workspace, read, pending map[string]int64) error {
	dir := ws.Dir
	path := idPath(dir)
	runPath := filepath.Join(filepath.Dir(path), runName(path))
	unlock, err := lock(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer unlock()
	now, _, err := LoadIDs(dir)
	if err != nil || now == nil {
		now = map[string]int64{} // one that does not parse is replaced
	}
	for env, id := range pending {
		if read[env] != id {
			now[env] = id
		}
	}
	for env, id := range read {
		if _, kept := pending[env]; !kept && now[env] == id {
			delete(now, env) // unless another step has started a deploy of env since
		}
	}
	if old := filepath.Join(dir, oldIDFile); old != path {
		if err := remove(old); err != nil {
			return err
		}
	}
	if len(now) == 0 {
		if err := remove(runPath); err != nil {
			return err
		}
		return remove(path)
	}
	if ws.Run != "" { // a run that tells none leaves the file as it is
		if err := os.WriteFile(runPath, []byte(ws.Run+"\n"), 0o644); err != nil {
			return err
		}
	}
	var b strings.Builder
	for _, env := range slices.Sorted(maps.Keys(now)) {
		fmt.Fprintf(&b, "%d %s\n", now[env], env)
	}
	// Written whole, then renamed: a step reading it meanwhile sees the
	// file before or after, never half of it.
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// runName is the run file's name beside the id file at path: hidden, as the
// id file is, at a workspace's root.
func runName(path string) string {
	if filepath.Base(path) == oldIDFile {
		return "." + RunFile
	}
	return RunFile
}

// keptBy is the run that kept the ids of workspace dir, "" when none says.
func keptBy(dir string) string {
	path := idPath(dir)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(path), runName(path)))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(data))
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
