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

// act runs a workflow of dir under act with podman, with the job image given for ubuntu-latest
// and more of act's arguments, against a new fake Rollbar on 127.0.0.1 (podman runs containers
// on the host network), and returns act's log and the fake. It skips without act, podman or
// DOCKER_HOST.
func act(t *testing.T, dir, workflow, image string, more ...string) (string, *rollbartest.Server) {
	t.Helper()
	actPath := needAct(t)
	require.NoError(t, exec.Command("podman", "image", "exists", image).Run(),
		"job image %s is missing: bash scripts/act-test.sh builds it", image)
	// act keeps /opt/hostedtoolcache in this volume from run to run: a fresh runner has none.
	_ = exec.Command("podman", "volume", "rm", "--force", "act-toolcache").Run()

	srv := rollbartest.NewServer()
	t.Cleanup(srv.Close)
	xdg := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(xdg, "act"), 0o755))
	// act asks which image to use on a first run without a config: tell it.
	require.NoError(t, os.WriteFile(filepath.Join(xdg, "act", "actrc"), []byte("-P ubuntu-latest="+image+"\n"), 0o644))

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	args := []string{"push", "-W", workflow,
		"-P", "ubuntu-latest=" + image, "--pull=false", "--action-offline-mode",
		"--container-daemon-socket", "-", "--network", "host", "--no-cache-server",
		"--var", "ROLLBAR_API_URL=" + srv.URL, "--secret", "ROLLBAR_ACCESS_TOKEN=post-token",
		"--env-file", os.DevNull, "--secret-file", os.DevNull, "--var-file", os.DevNull}
	cmd := exec.CommandContext(ctx, actPath, append(args, more...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "XDG_CONFIG_HOME="+xdg)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	err := cmd.Run()
	if path := os.Getenv("ACT_LOG"); path != "" {
		_ = os.WriteFile(path+"."+t.Name(), log.Bytes(), 0o644)
	}
	require.NoError(t, err, log.String())
	assert.NotContains(t, log.String(), "post-token", "the token is masked")
	return log.String(), srv
}

func methods(srv *rollbartest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		out = append(out, r.Method)
	}
	return out
}

// needAct skips the test without act, podman or DOCKER_HOST, before it calls podman or builds
// anything, and returns act's path.
func needAct(t *testing.T) string {
	t.Helper()
	actPath, errAct := exec.LookPath("act")
	_, errPodman := exec.LookPath("podman")
	if errAct != nil || errPodman != nil || os.Getenv("DOCKER_HOST") == "" {
		t.Skip("needs act, podman and DOCKER_HOST (a podman API socket): bash scripts/act-test.sh sets them up and runs this test")
	}
	return actPath
}

// The action as users run it, under act with podman: scripts/testdata/act-workflow.yml uses
// `uses: ./` twice (started, then the job's status with the id through GITHUB_ENV). One deploy
// is recorded and finished, the binary is built from source once and reused once, and no image
// is built or pulled for the action (only the job's image runs).
func TestActionUnderAct(t *testing.T) {
	needAct(t)
	image := os.Getenv("ACT_RUNNER_IMAGE")
	if image == "" {
		image = "localhost/act-go-runner-standin:1" // busybox + Go: a job image with Go, as hosted runners have
	}
	images := func() []string {
		out, err := exec.Command("podman", "images", "--all", "--quiet", "--no-trunc").Output()
		require.NoError(t, err)
		ids := strings.Fields(string(out))
		slices.Sort(ids)
		return ids
	}
	before := images()
	// The job's Go gets this machine's module and build caches, as setup-go restores a
	// runner's: a cold build in the job's container takes minutes on a busy machine.
	var caches []string
	for _, v := range []string{"GOMODCACHE", "GOCACHE"} {
		dir, err := exec.Command("go", "env", v).Output()
		require.NoError(t, err)
		caches = append(caches, strings.TrimSpace(string(dir)))
	}
	out, srv := act(t, "..", "scripts/testdata/act-workflow.yml", image,
		"--container-options", "-v "+caches[0]+":/go/pkg/mod -v "+caches[1]+":/root/.cache/rollbar-deploy-gocache",
		"--env", "GOCACHE=/root/.cache/rollbar-deploy-gocache")
	assert.Contains(t, out, "Job succeeded")

	deploys := srv.Deploys()
	require.Len(t, deploys, 1, "one deploy recorded")
	assert.Equal(t, "act", deploys[0].Environment)
	assert.Equal(t, "succeeded", deploys[0].Status)
	assert.Equal(t, []string{http.MethodPost, http.MethodPatch}, methods(srv), "started, then finished: no second deploy")

	assert.Equal(t, 1, strings.Count(out, ": building from "), "built from source by the first step")
	assert.Equal(t, 1, strings.Count(out, ": from the tool cache, "), "reused by the second")
	assert.NotContains(t, out, "docker build", "no image is built for the action")
	assert.Equal(t, before, images(), "podman's images are the same after the run")
}

// A released action in jobs whose `container:` is busybox alone (sh and wget: no bash, no
// curl), the binary served from a mirror of the release (download_url), as
// scripts/testdata/act-workflow-container.yml says: the two-phase deploy passes through
// GITHUB_ENV; a binary replaced in the tool cache is refused and installed again; a release
// that cannot be had fails the step under fail_on_error config and passes it under never.
func TestActionInAContainerJob(t *testing.T) {
	image := "localhost/busybox-standin:1"
	osName, _, asset := hostRunner(t)
	if osName != "Linux" {
		t.Skip("container jobs run on Linux")
	}
	needAct(t)
	// A release commit of the action: action.yml, install.sh and the pin, in a repository of
	// its own (act reads the commit) with the directory the job's defaults name.
	dir := t.TempDir()
	built := filepath.Join(t.TempDir(), asset)
	goBuild := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version="+tag, "-o", built, "..")
	goBuild.Env = append(os.Environ(), "CGO_ENABLED=0")
	out, err := goBuild.CombinedOutput()
	require.NoError(t, err, string(out))
	binary, err := os.ReadFile(built)
	require.NoError(t, err)
	_, dist := released(t, dir, map[string][]byte{asset: binary})
	for _, f := range []string{"action.yml", "action/install.sh", "scripts/testdata/act-workflow-container.yml"} {
		data, err := os.ReadFile(filepath.Join("..", f))
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, f)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), data, 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "web app"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "web app", "index.html"), []byte("<p>hello</p>\n"), 0o644))
	for _, git := range [][]string{{"init", "-q"}, {"add", "."},
		{"-c", "user.name=act", "-c", "user.email=act@example.com", "commit", "-q", "-m", "release " + tag}} {
		out, err := exec.Command("git", append([]string{"-C", dir}, git...)...).CombinedOutput()
		require.NoError(t, err, string(out))
	}
	m := serve(t, dist)

	log, srv := act(t, dir, "scripts/testdata/act-workflow-container.yml", image, "--var", "MIRROR="+m.URL)
	assert.Equal(t, 2, strings.Count(log, "Job succeeded"), "both jobs")

	deploys := srv.Deploys()
	require.Len(t, deploys, 1, "one deploy recorded, by the deploy job; none by the never job")
	assert.Equal(t, "act-container", deploys[0].Environment)
	assert.Equal(t, "succeeded", deploys[0].Status)
	assert.Equal(t, []string{http.MethodPost, http.MethodPatch}, methods(srv), "started, then finished")

	assert.Regexp(t, `the tool cache's /[^ ]*/rollbar-deploy has SHA-256 [0-9a-f]{64}, but the release pins`, log)
	assert.NotContains(t, log, "stolen:", "the replaced binary never ran")
	assert.Equal(t, []string{"/" + tag + "/" + asset, "/" + tag + "/" + asset,
		"/elsewhere/" + tag + "/" + asset, "/elsewhere/" + tag + "/" + asset}, m.asked(),
		"installed, installed again after the binary was replaced; not found twice")
	assert.Contains(t, log, "::error title=rollbar-deploy action::could not download "+m.URL+"/elsewhere/")
	assert.Contains(t, log, "The deploy is not recorded (fail_on_error: never)")
	assert.Contains(t, log, "rollbar-deploy is not installed (see the install step): the deploy is not recorded")
}
