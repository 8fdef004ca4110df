// Package e2e runs the built rollbar-deploy binary as users and CIs run it,
// against the fake Rollbar, with nothing but the environment each case sets.
package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "rollbar-deploy-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "rollbar-deploy")
	build := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -X main.version=e2e", "-o", binary, "..")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building rollbar-deploy:", err)
		return 1
	}
	return m.Run()
}

// openSources opens every source file the binary is built from. go test
// caches a result by the test binary and the files the tests opened; the
// binary under test is built out of its sight, so without this a change to
// its code would replay a stale result. Opens count only once the tests run,
// not in TestMain.
var openSources = sync.OnceValue(func() error { return openFiles("..") })

func openFiles(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == ".git" || d.Name() == "testdata"):
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".go") && d.Name() != "go.mod" && d.Name() != "go.sum":
			return nil
		}
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		return f.Close()
	})
}

// result is one run of the binary.
type result struct {
	code           int
	stdout, stderr string
	elapsed        time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// output is everything the run printed, for leak checks.
func (r result) output() string { return r.stdout + r.stderr }

// run starts the binary in dir with exactly env (plus PATH and a HOME), so no
// variable of the machine running the tests leaks in.
func run(t *testing.T, dir string, env map[string]string, args ...string) result {
	t.Helper()
	require.NoError(t, openSources())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := result{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running rollbar-deploy: %v", err)
	}
	return res
}

// fakeRollbar starts a fake Rollbar for one test.
func fakeRollbar(t *testing.T, opts ...rollbartest.Option) *rollbartest.Server {
	t.Helper()
	srv := rollbartest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// checkout makes a git repository with one commit by the named committer.
func checkout(t *testing.T, committer string) (dir, sha string) {
	t.Helper()
	dir = t.TempDir()
	gitRun := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=Author", "GIT_AUTHOR_EMAIL=a@example.com",
			"GIT_COMMITTER_NAME="+committer, "GIT_COMMITTER_EMAIL=c@example.com")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
		return strings.TrimSpace(string(out))
	}
	gitRun("init", "-q")
	gitRun("commit", "-q", "--allow-empty", "-m", "deploy me")
	return dir, gitRun("rev-parse", "HEAD")
}

// merge returns the union of env maps, later ones winning.
func merge(envs ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, e := range envs {
		for k, v := range e {
			out[k] = v
		}
	}
	return out
}
