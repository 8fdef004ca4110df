// Package action_test runs action.yml's steps as a runner runs them:
// action/install.sh with the runner's variables, and under act the whole
// action against the fake Rollbar.
package action_test

import (
	"bytes"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/release"
)

const tag = "v9.8.7"

// mirror serves dist as a download_url mirror serves a release (TAG/NAME)
// and records the paths asked for.
type mirror struct {
	URL   string
	mu    sync.Mutex
	paths []string
}

func serve(t *testing.T, dist string) *mirror {
	m := &mirror{}
	files := http.StripPrefix("/"+tag, http.FileServer(http.Dir(dist)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.paths = append(m.paths, r.URL.Path)
		m.mu.Unlock()
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	m.URL = srv.URL
	return m
}

func (m *mirror) asked() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.paths...)
}

// runner is the variables a runner gives the install step.
type runner struct {
	os, arch, actionPath, cache, downloadURL string
	path                                     string // PATH; default: this process's
}

// install runs action/install.sh as action.yml's install step does and
// returns its log and the binary path it wrote to GITHUB_OUTPUT.
func install(t *testing.T, r runner) (log, bin string, err error) {
	t.Helper()
	// Opened here so that go test's cache sees a change to the script.
	_, err = os.ReadFile("install.sh")
	require.NoError(t, err)
	tmp := t.TempDir()
	out, path := filepath.Join(tmp, "github_output"), filepath.Join(tmp, "github_path")
	cmd := exec.Command("bash", "install.sh")
	cmd.Env = append(os.Environ(),
		"RUNNER_OS="+r.os, "RUNNER_ARCH="+r.arch, "RUNNER_TOOL_CACHE="+r.cache, "RUNNER_TEMP="+tmp,
		"GITHUB_ACTION_PATH="+r.actionPath, "GITHUB_OUTPUT="+out, "GITHUB_PATH="+path,
		"RD_DOWNLOAD_URL="+r.downloadURL, "RD_ACTION_REPOSITORY=rollbar-deploy/rollbar-deploy")
	if r.path != "" {
		cmd.Env = append(cmd.Env, "PATH="+r.path)
	}
	var buf bytes.Buffer
	cmd.Stdout, cmd.Stderr = &buf, &buf
	err = cmd.Run()
	written, _ := os.ReadFile(out)
	if m := regexp.MustCompile(`(?m)^path=(.*)$`).FindSubmatch(written); m != nil {
		bin = string(m[1])
		// Later run: steps find it on PATH, in Windows' own form there
		// (cygpath -w; see fakeCygpath).
		want := filepath.Dir(bin)
		if r.os == "Windows" && r.path != "" {
			want = `C:\` + want
		}
		onPath, _ := os.ReadFile(path)
		assert.Equal(t, want+"\n", string(onPath), "GITHUB_PATH")
	}
	return buf.String(), bin, err
}

// released makes a release commit's action directory with the code the
// release workflow runs (release.Pin) over dist, whose files are given.
func released(t *testing.T, files map[string][]byte) (actionDir, dist string) {
	t.Helper()
	actionDir, dist = t.TempDir(), t.TempDir()
	for _, a := range release.Assets() {
		data, ok := files[a.Name]
		if !ok {
			data = []byte("not run here: " + a.Name)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dist, a.Name), data, 0o755))
	}
	require.NoError(t, release.Pin(actionDir, tag, dist))
	return actionDir, dist
}

// Each runner gets its own asset, installed under the tool cache's layout.
func TestInstallPicksTheRunnersAsset(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{}
	for _, a := range release.Assets() {
		files[a.Name] = []byte(a.Name)
	}
	actionDir, dist := released(t, files)
	m := serve(t, dist)
	for _, tc := range []struct{ os, arch, asset, bin string }{
		{"Linux", "X64", "rollbar-deploy_linux_amd64", "x64/rollbar-deploy"},
		{"Linux", "ARM64", "rollbar-deploy_linux_arm64", "arm64/rollbar-deploy"},
		{"macOS", "X64", "rollbar-deploy_darwin_amd64", "x64/rollbar-deploy"},
		{"macOS", "ARM64", "rollbar-deploy_darwin_arm64", "arm64/rollbar-deploy"},
		{"Windows", "X64", "rollbar-deploy_windows_amd64.exe", "x64/rollbar-deploy.exe"},
		{"Windows", "ARM64", "rollbar-deploy_windows_arm64.exe", "arm64/rollbar-deploy.exe"},
	} {
		cache, path := t.TempDir(), ""
		if tc.os == "Windows" {
			path = fakeCygpath(t)
		}
		log, bin, err := install(t, runner{os: tc.os, arch: tc.arch, actionPath: actionDir, cache: cache, downloadURL: m.URL, path: path})
		require.NoError(t, err, log)
		assert.Equal(t, filepath.Join(cache, "rollbar-deploy", "9.8.7", filepath.FromSlash(tc.bin)), bin, tc.os+"/"+tc.arch)
		got, _ := os.ReadFile(bin)
		assert.Equal(t, tc.asset, string(got))
		assert.Equal(t, "/"+tag+"/"+tc.asset, m.asked()[len(m.asked())-1])
	}
	for _, bad := range []runner{{os: "Linux", arch: "ARM"}, {os: "FreeBSD", arch: "X64"}} {
		bad.actionPath, bad.cache = actionDir, t.TempDir()
		log, _, err := install(t, bad)
		require.Error(t, err)
		assert.Contains(t, log, "::error title=rollbar-deploy action::unsupported runner")
	}
}

// fakeCygpath is a PATH with Git Bash's cygpath on it, as a Windows runner
// has: -u gives a path as it is, -w puts C:\ before it.
func fakeCygpath(t *testing.T) string {
	dir := t.TempDir()
	script := "#!/bin/sh\ncase $1 in -w) printf 'C:\\\\%s\\n' \"$2\" ;; *) printf '%s\\n' \"$2\" ;; esac\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cygpath"), []byte(script), 0o755))
	return dir + string(os.PathListSeparator) + os.Getenv("PATH")
}

// hostRunner is the runner this test runs on, as RUNNER_OS/RUNNER_ARCH.
func hostRunner(t *testing.T) (osName, arch, asset string) {
	osName = map[string]string{"linux": "Linux", "darwin": "macOS", "windows": "Windows"}[runtime.GOOS]
	arch = map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	if osName == "" || arch == "" {
		t.Skipf("no release binary for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	for _, a := range release.Assets() {
		if a.GOOS == runtime.GOOS && a.GOARCH == runtime.GOARCH {
			asset = a.Name
		}
	}
	return osName, arch, asset
}

// A released action: downloaded once from the mirror, verified, cached; a
// tampered binary is refused and not installed.
func TestInstallReleased(t *testing.T) {
	t.Parallel()
	osName, arch, asset := hostRunner(t)
	built := filepath.Join(t.TempDir(), asset)
	goBuild := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version="+tag, "-o", built, "..")
	out, err := goBuild.CombinedOutput()
	require.NoError(t, err, string(out))
	binary, err := os.ReadFile(built)
	require.NoError(t, err)
	actionDir, dist := released(t, map[string][]byte{asset: binary})
	m := serve(t, dist)
	cache := t.TempDir()
	r := runner{os: osName, arch: arch, actionPath: actionDir, cache: cache, downloadURL: m.URL}

	log, bin, err := install(t, r)
	require.NoError(t, err, log)
	assert.Contains(t, log, "downloading "+m.URL+"/"+tag+"/"+asset)
	assert.Contains(t, log, "checksum verified")
	version, err := exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	assert.Equal(t, "rollbar-deploy "+tag+"\n", string(version))

	log, again, err := install(t, r)
	require.NoError(t, err, log)
	assert.Equal(t, bin, again)
	assert.Contains(t, log, "from the tool cache")
	assert.Len(t, m.asked(), 1, "the second run downloads nothing")

	require.NoError(t, os.WriteFile(filepath.Join(dist, asset), append(binary, 0), 0o755))
	r.cache = t.TempDir()
	log, bin, err = install(t, r)
	require.Error(t, err)
	assert.Regexp(t, `::error title=rollbar-deploy action::.*/`+regexp.QuoteMeta(asset)+` has SHA-256 [0-9a-f]{64}, but the release pins [0-9a-f]{64} .*refusing it`, log)
	assert.Empty(t, bin)
	entries, _ := os.ReadDir(filepath.Join(r.cache, "rollbar-deploy"))
	assert.Empty(t, entries, "nothing installed")
}

// An unreleased ref: built from the action's source with the runner's Go,
// then reused; without Go, an error saying what to do.
func TestInstallUnreleased(t *testing.T) {
	t.Parallel()
	osName, arch, _ := hostRunner(t)
	src, err := filepath.Abs("..")
	require.NoError(t, err)
	r := runner{os: osName, arch: arch, actionPath: src, cache: t.TempDir()}

	log, bin, err := install(t, r)
	require.NoError(t, err, log)
	assert.Contains(t, log, "building from "+src)
	version, err := exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	assert.Regexp(t, `^rollbar-deploy 0\.0\.0-src\.[0-9a-f]{16}\n$`, string(version))

	log, again, err := install(t, r)
	require.NoError(t, err, log)
	assert.Equal(t, bin, again)
	assert.Contains(t, log, "from the tool cache")

	r.cache, r.path = t.TempDir(), noGo(t)
	log, _, err = install(t, r)
	require.Error(t, err)
	assert.Contains(t, log, "::error title=rollbar-deploy action::this ref of the action has no released binary and the runner has no Go")
	assert.Contains(t, log, "actions/setup-go")
}

// noGo is this process's PATH without the directories that have a go.
func noGo(t *testing.T) string {
	var dirs []string
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, "go")); err != nil {
			dirs = append(dirs, d)
		}
	}
	return strings.Join(dirs, string(os.PathListSeparator))
}

// action.yml declares an input for every setting (and download_url, its
// own), the run step gives the binary each as INPUT_<NAME>, as the runner
// does for a Docker action, and the action's outputs are the run step's.
func TestActionPassesInputsAndOutputs(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../action.yml")
	require.NoError(t, err)
	var action struct {
		Inputs  map[string]any
		Outputs map[string]struct{ Value string }
		Runs    struct {
			Steps []struct {
				ID  string
				Env map[string]string
			}
		}
	}
	require.NoError(t, yaml.Unmarshal(data, &action))
	assert.ElementsMatch(t, append(config.Inputs(), "download_url"), slices.Collect(maps.Keys(action.Inputs)))
	var env map[string]string
	for _, step := range action.Runs.Steps {
		if step.ID == "run" {
			env = step.Env
		}
	}
	for name := range action.Inputs {
		if name == "download_url" {
			assert.NotContains(t, env, "INPUT_DOWNLOAD_URL", "download_url is for the install step only")
			continue
		}
		assert.Equal(t, "${{ inputs."+name+" }}", env["INPUT_"+strings.ToUpper(name)], name)
	}
	want := []string{"deploy_id", "deploy_url", "status", "watch_result", "new_items", "reactivated_items"}
	assert.ElementsMatch(t, want, slices.Collect(maps.Keys(action.Outputs)))
	for name, o := range action.Outputs {
		assert.Equal(t, "${{ steps.run.outputs."+name+" }}", o.Value, name)
	}
}
