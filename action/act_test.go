package action_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

// The action as users run it, under act with podman: scripts/testdata/act-workflow.yml uses
// `uses: ./` twice (started, then the job's status with the id through GITHUB_ENV). One deploy
// is recorded and finished, the binary is built from source once and reused once, and no image
// is built or pulled for the action (only the job's image runs).
func TestActionUnderAct(t *testing.T) {
	act, errAct := exec.LookPath("act")
	_, errPodman := exec.LookPath("podman")
	if errAct != nil || errPodman != nil || os.Getenv("DOCKER_HOST") == "" {
		t.Skip("needs act, podman and DOCKER_HOST (a podman API socket): bash scripts/act-test.sh sets them up and runs this test")
	}
	image := os.Getenv("ACT_RUNNER_IMAGE")
	if image == "" {
		image = "localhost/act-go-runner-standin:1" // busybox + Go: a job image with Go, as hosted runners have
	}
	require.NoError(t, exec.Command("podman", "image", "exists", image).Run(),
		"job image %s is missing: bash scripts/act-test.sh builds it", image)
	images := func() []string {
		out, err := exec.Command("podman", "images", "--all", "--quiet", "--no-trunc").Output()
		require.NoError(t, err)
		ids := strings.Fields(string(out))
		slices.Sort(ids)
		return ids
	}
	before := images()
	// act keeps /opt/hostedtoolcache in this volume from run to run: a fresh runner has none.
	_ = exec.Command("podman", "volume", "rm", "--force", "act-toolcache").Run()

	// Podman runs the job container on the host network: it reaches the fake on 127.0.0.1.
	srv := rollbartest.NewServer()
	t.Cleanup(srv.Close)
	xdg := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(xdg, "act"), 0o755))
	// act asks which image to use on a first run without a config: tell it.
	require.NoError(t, os.WriteFile(filepath.Join(xdg, "act", "actrc"), []byte("-P ubuntu-latest="+image+"\n"), 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, act, "push", "-W", "scripts/testdata/act-workflow.yml",
		"-P", "ubuntu-latest="+image, "--pull=false", "--action-offline-mode",
		"--container-daemon-socket", "-", "--network", "host", "--no-cache-server",
		"--var", "ROLLBAR_API_URL="+srv.URL, "--secret", "ROLLBAR_ACCESS_TOKEN=post-token",
		"--env-file", os.DevNull, "--secret-file", os.DevNull, "--var-file", os.DevNull)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+xdg)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	err := cmd.Run()
	if path := os.Getenv("ACT_LOG"); path != "" {
		_ = os.WriteFile(path, log.Bytes(), 0o644)
	}
	require.NoError(t, err, log.String())
	out := log.String()
	assert.Contains(t, out, "Job succeeded")
	assert.NotContains(t, out, "post-token", "the token is masked")

	deploys := srv.Deploys()
	require.Len(t, deploys, 1, "one deploy recorded")
	assert.Equal(t, "act", deploys[0].Environment)
	assert.Equal(t, "succeeded", deploys[0].Status)
	var methods []string
	for _, r := range srv.Requests() {
		methods = append(methods, r.Method)
	}
	assert.Equal(t, []string{http.MethodPost, http.MethodPatch}, methods, "started, then finished: no second deploy")

	assert.Equal(t, 1, strings.Count(out, ": building from "), "built from source by the first step")
	assert.Equal(t, 1, strings.Count(out, ": from the tool cache, "), "reused by the second")
	assert.NotContains(t, out, "docker build", "no image is built for the action")
	assert.Equal(t, before, images(), "podman's images are the same after the run")
}
