// Package drivers runs rollbar-deploy under the real tools of each CI: the
// image under podman as GitLab's Docker executor, the Drone and Woodpecker
// plugin runners and a Docker action start it, a pipeline under
// gitlab-ci-local, and the Heroku buildpack's phases. Rollbar is a fake in
// this process (containers share the host network), and each test checks
// what it was sent and what the run left for the next step.
//
// They take minutes and need tools installed, so they run only with
// RUN_CONTAINER_TESTS=1 (make e2e sets it, after scripts/container-setup.sh).
package drivers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

const (
	sha   = "0123456789abcdef0123456789abcdef01234567"
	token = "post-token" // the fake's token that may record
	root  = "../.."
)

// slow skips t unless RUN_CONTAINER_TESTS=1, or when a tool is missing.
func slow(t *testing.T, tools ...string) {
	t.Helper()
	if os.Getenv("RUN_CONTAINER_TESTS") != "1" {
		t.Skip("runs real CI tools, for minutes: set RUN_CONTAINER_TESTS=1 (make e2e does)")
	}
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not found: run scripts/container-setup.sh", tool)
		}
	}
}

func fake(t *testing.T) *rollbartest.Server {
	srv := rollbartest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

// run runs cmd; a non-zero exit is err, with both outputs in its message.
func run(cmd *exec.Cmd) (stdout, stderr string, err error) {
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err = cmd.Run(); err != nil {
		err = fmt.Errorf("%s: %w\n--- stdout\n%s--- stderr\n%s", cmd, err, out.String(), errOut.String())
	}
	return out.String(), errOut.String(), err
}

// mustRun is run failing t on a non-zero exit, and on the token in the output.
func mustRun(t *testing.T, cmd *exec.Cmd) (stdout, stderr string) {
	t.Helper()
	stdout, stderr, err := run(cmd)
	require.NoError(t, err)
	noToken(t, stdout+stderr)
	return stdout, stderr
}

// noToken fails t when the token shows in output outside the one command
// that asks the runner to mask it.
func noToken(t *testing.T, output string) {
	t.Helper()
	for line := range strings.Lines(output) {
		if !strings.HasPrefix(line, "::add-mask::") {
			assert.NotContains(t, line, token, "the access token shows in the output")
		}
	}
}

// build builds rollbar-deploy of this checkout as a release does, at path.
func build(t *testing.T, path, version string) {
	t.Helper()
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w -X main.version="+version, "-o", path, root)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	_, _, err := run(cmd)
	require.NoError(t, err)
}

// oneDeploy checks the fake holds one deploy, of revision in environment,
// ended succeeded, and returns it.
func oneDeploy(t *testing.T, srv *rollbartest.Server, revision, environment string) rollbartest.Deploy {
	t.Helper()
	deploys := srv.Deploys()
	require.Len(t, deploys, 1, "deploys: %+v", deploys)
	d := deploys[0]
	assert.Equal(t, revision, d.Revision)
	assert.Equal(t, environment, d.Environment)
	assert.Equal(t, "succeeded", d.Status)
	return d
}

// startedThenSucceeded checks a two-step flow: one deploy (id, when known),
// recorded started by the first step and updated to succeeded by the second,
// with the token only ever in its header.
func startedThenSucceeded(t *testing.T, srv *rollbartest.Server, id, revision, environment string) rollbartest.Deploy {
	t.Helper()
	d := oneDeploy(t, srv, revision, environment)
	if id != "" {
		assert.Equal(t, id, strconv.FormatInt(d.ID, 10), "the later step did not update the deploy the first one reported")
	}
	var calls, statuses []string
	for _, r := range srv.Requests() {
		calls = append(calls, fmt.Sprintf("%s %s %d", r.Method, r.Path, r.Status))
		var body struct{ Status string }
		assert.NoError(t, json.Unmarshal(r.Body, &body), "%s %s", r.Method, r.Path)
		statuses = append(statuses, body.Status)
		assert.Empty(t, r.RawQuery, "the token went somewhere other than its header")
		assert.NotContains(t, string(r.Body), token, "the token went somewhere other than its header")
	}
	assert.Equal(t, []string{"POST /api/1/deploy 200", fmt.Sprintf("PATCH /api/1/deploy/%d 200", d.ID)}, calls)
	assert.Equal(t, []string{"started", "succeeded"}, statuses)
	return d
}

var deployID = regexp.MustCompile(`^[0-9]+$`)

// stdoutID checks stdout is a deploy id alone on its line, and returns it.
func stdoutID(t *testing.T, stdout string) string {
	t.Helper()
	id := strings.TrimSuffix(stdout, "\n")
	assert.Regexp(t, deployID, id, "stdout is not the deploy id alone")
	return id
}

func writeFile(t *testing.T, path, content string, perm os.FileMode) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), perm))
}
