// Package git reads the deployed commit from a checkout, for runs where no
// CI variable tells it.
package git

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"strings"
)

// Commit is the HEAD commit of a checkout.
type Commit struct {
	SHA       string
	Committer string
}

// Head reads HEAD's SHA and committer name in dir with one git call.
//
// A checkout owned by another user (a Docker action's /github/workspace) makes
// git refuse with "dubious ownership"; dir is declared safe for this one call
// rather than in any config file.
func Head(ctx context.Context, dir string) (Commit, error) {
	cmd := exec.CommandContext(ctx, "git", "-c", "safe.directory="+dir, "log", "-1", "--format=%H%n%cn", "HEAD")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if errors.Is(err, exec.ErrNotFound) {
		return Commit{}, errors.New("git is not installed")
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		if msg == "" {
			msg = err.Error()
		}
		return Commit{}, errors.New(strings.TrimPrefix(msg, "fatal: "))
	}
	sha, committer, _ := strings.Cut(strings.TrimSpace(string(out)), "\n")
	return Commit{SHA: sha, Committer: committer}, nil
}
