package drivers

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

const asset = "rollbar-deploy_linux_amd64"

// compile runs the buildpack's bin/compile on an app with a Procfile and a
// bin/ of its own, ROLLBAR_DEPLOY_BINARY_URL=url as its config var, and
// returns the build dir and compile's output.
func compile(t *testing.T, url string) (build, log string, err error) {
	t.Helper()
	dir := t.TempDir()
	build = filepath.Join(dir, "build")
	writeFile(t, filepath.Join(dir, "env/ROLLBAR_DEPLOY_BINARY_URL"), url, 0o644)
	writeFile(t, filepath.Join(build, "bin/start-web"), "#!/bin/sh\necho app\n", 0o755)
	writeFile(t, filepath.Join(build, "Procfile"), "release: rollbar-deploy\nweb: bin/start-web\n", 0o644)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "cache"), 0o755))
	cmd := exec.Command(filepath.Join(root, "buildpack/bin/compile"), build, filepath.Join(dir, "cache"), filepath.Join(dir, "env"))
	out, err := cmd.CombinedOutput()
	return build, string(out), err
}

// publish puts the binary at dir/asset, with sum as its .sha256 unless empty.
func publish(t *testing.T, binary []byte, dir, sum string) string {
	t.Helper()
	writeFile(t, filepath.Join(dir, asset), string(binary), 0o755)
	if sum != "" {
		writeFile(t, filepath.Join(dir, asset+".sha256"), sum+"  "+asset+"\n", 0o644)
	}
	return "file://" + filepath.Join(dir, asset)
}

// TestBuildpack runs the buildpack offline (the binary from a file:// URL),
// then the release phase it enables as Heroku runs it.
func TestBuildpack(t *testing.T) {
	slow(t, "bash", "curl", "sha256sum")
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the buildpack installs a linux/amd64 binary")
	}
	work := t.TempDir()
	build(t, filepath.Join(work, asset), "v0.0.0-buildpack-test")
	binary, err := os.ReadFile(filepath.Join(work, asset))
	require.NoError(t, err)
	sum := sha256.Sum256(binary)

	detected, err := exec.Command(filepath.Join(root, "buildpack/bin/detect"), t.TempDir()).Output()
	require.NoError(t, err)
	assert.NotEmpty(t, strings.TrimSpace(string(detected)), "bin/detect printed no name")

	t.Setenv("SOURCE_VERSION", slugCommit) // Heroku's, during the build only
	app, log, err := compile(t, publish(t, binary, t.TempDir(), hex.EncodeToString(sum[:])))
	require.NoError(t, err, log)
	assert.Contains(t, log, "checksum verified")
	version, err := exec.Command(filepath.Join(app, "bin/rollbar-deploy"), "--version").Output()
	require.NoError(t, err)
	assert.Contains(t, string(version), "v0.0.0-buildpack-test")
	assert.FileExists(t, filepath.Join(app, "bin/start-web"), "the app's own bin/ was lost")
	cmd := exec.Command("bash", "-c", `for f in "$HOME"/.profile.d/*.sh; do . "$f"; done; command -v rollbar-deploy`)
	cmd.Env = []string{"HOME=" + app, "PATH=/usr/bin:/bin"}
	found, _ := mustRun(t, cmd)
	assert.Equal(t, filepath.Join(app, "bin/rollbar-deploy")+"\n", found, ".profile.d does not put $HOME/bin on PATH")

	t.Run("wrong checksum", func(t *testing.T) {
		build, log, err := compile(t, publish(t, binary, t.TempDir(), strings.Repeat("0", 64)))
		assert.Error(t, err, "bin/compile accepted a binary whose checksum does not match")
		assert.Contains(t, log, "checksum mismatch")
		assert.NoFileExists(t, filepath.Join(build, "bin/rollbar-deploy"))
	})
	t.Run("no checksum", func(t *testing.T) {
		build, log, err := compile(t, publish(t, binary, t.TempDir(), ""))
		require.NoError(t, err, log)
		assert.Contains(t, log, "no checksum published")
		assert.FileExists(t, filepath.Join(build, "bin/rollbar-deploy"))
	})
	t.Run("no binary", func(t *testing.T) {
		build, _, err := compile(t, "file://"+filepath.Join(t.TempDir(), asset))
		assert.Error(t, err, "bin/compile succeeded without a binary")
		assert.NoFileExists(t, filepath.Join(build, "bin/rollbar-deploy"))
	})

	release, err := exec.Command(filepath.Join(root, "buildpack/bin/release"), app).Output()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(release), "---\n"), "bin/release printed no YAML document: %q", release)
	var config map[string]any
	require.NoError(t, yaml.Unmarshal(release, &config))
	assert.Contains(t, config, "addons")

	releasePhase(t, app)
}

// releasePhase runs the slug's rollbar-deploy as Heroku's release phase
// does: a clean environment, HOME the slug, .profile.d sourced, no .git,
// the dyno metadata and config vars. A second release of the same commit (a
// config-var change), with a token that can read, records nothing more.
// Without the dyno metadata labs, the commit the slug was built from (kept
// by bin/compile) is the revision all the same.
func releasePhase(t *testing.T, slug string) {
	t.Helper()
	assert.NoDirExists(t, filepath.Join(slug, ".git"))
	srv := fake(t)
	const revision = slugCommit
	phase := func(accessToken string, metadata ...string) string {
		cmd := exec.Command("bash", "-c", `for f in "$HOME"/.profile.d/*.sh; do . "$f"; done; cd "$HOME" && exec rollbar-deploy`)
		cmd.Env = append([]string{"HOME=" + slug, "PATH=/usr/local/bin:/usr/bin:/bin", "DYNO=release.1", "PORT=5000",
			"ROLLBAR_ACCESS_TOKEN=" + accessToken, "ROLLBAR_ENV=production", "ROLLBAR_API_URL=" + srv.URL}, metadata...)
		stdout, _ := mustRun(t, cmd)
		return stdout
	}
	labs := func(version string) []string {
		return []string{"HEROKU_APP_ID=01234567-89ab-cdef-0123-456789abcdef", "HEROKU_APP_NAME=example-app",
			"HEROKU_RELEASE_VERSION=" + version, "HEROKU_RELEASE_CREATED_AT=2026-11-25T09:00:00Z",
			"HEROKU_BUILD_COMMIT=" + revision, "HEROKU_SLUG_COMMIT=" + revision,
			"HEROKU_BUILD_DESCRIPTION=Deploy " + revision[:7]}
	}
	id := stdoutID(t, phase(token, labs("v42")...))
	d := oneDeploy(t, srv, revision, "production")
	assert.Equal(t, id, strconv.FormatInt(d.ID, 10))
	assert.Equal(t, id, stdoutID(t, phase("both-token", labs("v43")...)), "no new code: the newest deploy's id")
	assert.Len(t, srv.Deploys(), 1, "the same commit was recorded twice")

	srv.Reset()
	id = stdoutID(t, phase(token))
	d = oneDeploy(t, srv, revision, "production")
	assert.Equal(t, id, strconv.FormatInt(d.ID, 10), "without the labs, the slug's commit was not recorded")
}

// slugCommit is the commit Heroku builds the slug from (SOURCE_VERSION).
const slugCommit = "89abcdef0123456789abcdef0123456789abcdef"
