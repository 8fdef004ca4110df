// Package git reads the deployed commit from a checkout, for runs where no
// CI variable tells it.
package git

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Commit is the HEAD commit of a checkout.
type Commit struct {
	SHA string
	// Committer is the committer's name, or the author's where the
	// committer is GitHub itself (a merge or an edit made on github.com).
	Committer string
	// Dirty is true when tracked files differ from HEAD: what is deployed
	// from this work tree is not exactly HEAD.
	Dirty bool
}

// Head reads HEAD's SHA, its committer and whether tracked files changed, in dir.
//
// A checkout owned by another user (a Docker action's /github/workspace, a
// container over a CI workspace) makes git refuse with "dubious ownership";
// the checkout that holds dir is declared safe for these calls rather than in
// any config file.
func Head(ctx context.Context, dir string) (Commit, error) {
	out, err := run(ctx, dir, "log", "-1", "--format=%H%n%cn%n%ce%n%an", "HEAD")
	if err != nil {
		return Commit{}, err
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for len(lines) < 4 {
		lines = append(lines, "")
	}
	c := Commit{SHA: lines[0], Committer: lines[1]}
	if lines[1] == "GitHub" && lines[2] == "noreply@github.com" {
		c.Committer = lines[3]
	}
	// A failing status (a bare repository) tells nothing: HEAD stands.
	status, err := run(ctx, dir, "status", "--porcelain", "--untracked-files=no")
	c.Dirty = err == nil && strings.TrimSpace(status) != ""
	return c, nil
}

// run runs one git command in dir, with the checkout that holds dir trusted
// for it, and no fsmonitor hook run.
func run(ctx context.Context, dir string, args ...string) (string, error) {
	args = append([]string{"-c", "safe.directory=" + checkout(dir), "-c", "core.fsmonitor=false"}, args...)
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if errors.Is(err, exec.ErrNotFound) {
		return "", errors.New("git is not installed")
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg == "" {
			msg = err.Error()
		}
		return "", errors.New(strings.TrimPrefix(msg, "fatal: "))
	}
	return string(out), nil
}

// checkout is the work tree that holds dir: the nearest directory, dir or
// above, with a .git in it (a directory, or a worktree's file). git checks
// ownership there, so that is the directory to declare safe; where there is
// none, dir itself.
func checkout(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return abs
		}
	}
}
