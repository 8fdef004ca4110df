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
	"path"
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

// mirror serves dist as a release's files are served: at /TAG/NAME (a
// download_url mirror) and /OWNER/NAME/releases/download/TAG/NAME (GitHub),
// and records the paths asked for. A status set answers every request.
type mirror struct {
	URL    string
	mu     sync.Mutex
	paths  []string
	status int
}

func serve(t *testing.T, dist string) *mirror {
	m := &mirror{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.paths = append(m.paths, r.URL.Path)
		status := m.status
		m.mu.Unlock()
		mirrored, _ := path.Match("/"+tag+"/*", r.URL.Path)
		github, _ := path.Match("/*/*/releases/download/"+tag+"/*", r.URL.Path)
		switch {
		case status != 0:
			w.WriteHeader(status)
		case mirrored || github:
			http.ServeFile(w, r, filepath.Join(dist, path.Base(r.URL.Path)))
		default:
			http.NotFound(w, r)
		}
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

func (m *mirror) answer(status int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.status = status
}

// runner is the variables a runner gives the install step.
type runner struct {
	os, arch, actionPath, cache, downloadURL string
	temp                                     string   // RUNNER_TEMP; default: a new directory
	path                                     string   // PATH; default: this process's
	shell                                    string   // the step's sh; default: sh on PATH
	env                                      []string // more variables: fail_on_error, the server
}

// install runs action/install.sh as action.yml's install step does and
// returns its log and the binary path it wrote to GITHUB_OUTPUT.
func install(t *testing.T, r runner) (log, bin string, err error) {
	t.Helper()
	// Opened here so that go test's cache sees a change to the script.
	_, err = os.ReadFile("install.sh")
	require.NoError(t, err)
	tmp := t.TempDir()
	if r.temp == "" {
		r.temp = tmp
	}
	if r.shell == "" {
		r.shell = "sh"
	}
	out, path := filepath.Join(tmp, "github_output"), filepath.Join(tmp, "github_path")
	cmd := exec.Command(r.shell, "-e", "install.sh")
	cmd.Env = append(os.Environ(),
		"RUNNER_OS="+r.os, "RUNNER_ARCH="+r.arch, "RUNNER_TOOL_CACHE="+r.cache, "RUNNER_TEMP="+r.temp,
		"GITHUB_ACTION_PATH="+r.actionPath, "GITHUB_OUTPUT="+out, "GITHUB_PATH="+path,
		"RD_DOWNLOAD_URL="+r.downloadURL, "RD_ACTION_REPOSITORY=", "RD_FAIL_ON_ERROR=", "ROLLBAR_FAIL_ON_ERROR=")
	cmd.Env = append(cmd.Env, r.env...)
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
// The action is at actionDir, under the directory given ("" for a new one).
func released(t *testing.T, under string, files map[string][]byte) (actionDir, dist string) {
	t.Helper()
	actionDir, dist = under, t.TempDir()
	if actionDir == "" {
		actionDir = t.TempDir()
	}
	for _, a := range release.Assets() {
		data, ok := files[a.Name]
		if !ok {
			data = []byte("not run here: " + a.Name)
		}
		require.NoError(t, os.WriteFile(filepath.Join(dist, a.Name), data, 0o755))
	}
	require.NoError(t, release.Pin(actionDir, "rollbar-deploy/rollbar-deploy", tag, dist))
	return actionDir, dist
}

// busybox is a PATH of busybox's applets alone, as a busybox or alpine job
// image has: sh and wget, no bash, no curl, no Go; less the applets dropped.
func busybox(t *testing.T, drop ...string) string {
	t.Helper()
	bb, err := exec.LookPath("busybox")
	if err != nil {
		t.Skip("needs busybox (apt-get install busybox-static; scripts/container-setup.sh installs it)")
	}
	dir := t.TempDir()
	out, err := exec.Command(bb, "--install", "-s", dir).CombinedOutput()
	require.NoError(t, err, string(out))
	for _, applet := range drop {
		require.NoError(t, os.Remove(filepath.Join(dir, applet)))
	}
	return dir
}

// Each runner gets its own asset, installed under the tool cache's layout.
func TestInstallPicksTheRunnersAsset(t *testing.T) {
	t.Parallel()
	files := map[string][]byte{}
	for _, a := range release.Assets() {
		files[a.Name] = []byte(a.Name)
	}
	actionDir, dist := released(t, "", files)
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

// A released action as GitHub runs it: downloaded once from the release of
// the repository its pin names (here a fork runs it), else of the one the
// runner put the action in (_actions/OWNER/NAME/REF), verified, cached;
// reused once its SHA-256 is checked again; a cached binary that was changed
// is refused and downloaded again; a tampered download is refused and not
// installed.
func TestInstallReleased(t *testing.T) {
	t.Parallel()
	osName, arch, asset := hostRunner(t)
	built := filepath.Join(t.TempDir(), asset)
	goBuild := exec.Command("go", "build", "-trimpath", "-ldflags", "-X main.version="+tag, "-o", built, "..")
	out, err := goBuild.CombinedOutput()
	require.NoError(t, err, string(out))
	binary, err := os.ReadFile(built)
	require.NoError(t, err)
	under := filepath.Join(t.TempDir(), "_actions", "acme", "rollbar-deploy-fork", tag)
	actionDir, dist := released(t, under, map[string][]byte{asset: binary})
	m := serve(t, dist)
	cache := t.TempDir()
	r := runner{os: osName, arch: arch, actionPath: actionDir, cache: cache, env: []string{"GITHUB_SERVER_URL=" + m.URL}}
	runs := func(bin string) {
		t.Helper()
		version, err := exec.Command(bin, "--version").Output()
		require.NoError(t, err)
		assert.Equal(t, "rollbar-deploy "+tag+"\n", string(version))
	}

	log, bin, err := install(t, r)
	require.NoError(t, err, log)
	assert.Contains(t, log, "downloading "+m.URL+"/rollbar-deploy/rollbar-deploy/releases/download/"+tag+"/"+asset)
	assert.Contains(t, log, "checksum verified")
	assert.NotContains(t, log, "warning", "no tool warns (tr once did, of a backslash)")
	runs(bin)

	log, again, err := install(t, r)
	require.NoError(t, err, log)
	assert.Equal(t, bin, again)
	assert.Contains(t, log, "from the tool cache, "+bin+" (release "+tag+", checksum verified)")
	assert.Len(t, m.asked(), 1, "the second run downloads nothing")

	require.NoError(t, os.WriteFile(bin, []byte("#!/bin/sh\necho the token is \"$ROLLBAR_ACCESS_TOKEN\"\n"), 0o755))
	log, again, err = install(t, r)
	require.NoError(t, err, log)
	assert.Regexp(t, `::warning title=rollbar-deploy action::the tool cache's `+regexp.QuoteMeta(bin)+
		` has SHA-256 [0-9a-f]{64}, but the release pins [0-9a-f]{64} for `+regexp.QuoteMeta(asset)+`: refusing it`, log)
	assert.Equal(t, bin, again)
	assert.Len(t, m.asked(), 2, "downloaded again")
	runs(bin)

	pin := filepath.Join(actionDir, filepath.FromSlash(release.PinFile))
	pinned, err := os.ReadFile(pin)
	require.NoError(t, err)
	unnamed := regexp.MustCompile(`(?m)^repository .*\n`).ReplaceAll(pinned, nil)
	require.NotEqual(t, pinned, unnamed)
	require.NoError(t, os.WriteFile(pin, unnamed, 0o644))
	r.cache = t.TempDir()
	log, _, err = install(t, r)
	require.NoError(t, err, log)
	assert.Contains(t, log, "downloading "+m.URL+"/acme/rollbar-deploy-fork/releases/download/"+tag+"/"+asset)

	require.NoError(t, os.WriteFile(filepath.Join(dist, asset), append(binary, 0), 0o755))
	r.cache = t.TempDir()
	log, bin, err = install(t, r)
	require.Error(t, err)
	assert.Regexp(t, `::error title=rollbar-deploy action::.*/`+regexp.QuoteMeta(asset)+` has SHA-256 [0-9a-f]{64}, but the release pins [0-9a-f]{64} .*refusing it`, log)
	assert.Empty(t, bin)
	installed, _ := filepath.Glob(filepath.Join(r.cache, "rollbar-deploy", "*", "*", "*"))
	assert.Empty(t, installed, "nothing installed")
}

// In a container job the steps run in the job's image: here busybox's sh
// and wget alone (no bash, no curl), with a space in every path as on a
// self-hosted runner installed in "actions runner", and behind a proxy. A
// tool cache the job cannot write leaves the job's temporary directory.
func TestInstallInABusyboxContainer(t *testing.T) {
	t.Parallel()
	bb := busybox(t)
	osName, arch, asset := hostRunner(t)
	work := filepath.Join(t.TempDir(), "actions runner", "_work")
	script := []byte("#!/bin/sh\necho rollbar-deploy " + tag + "\n")
	actionDir, dist := released(t, filepath.Join(work, "_actions", "acme", "rollbar-deploy", tag), map[string][]byte{asset: script})
	m := serve(t, dist)
	r := runner{os: osName, arch: arch, actionPath: actionDir, cache: filepath.Join(work, "_tool"),
		temp: filepath.Join(work, "_temp"), downloadURL: m.URL, path: bb, shell: filepath.Join(bb, "sh")}
	require.NoError(t, os.MkdirAll(r.temp, 0o755))

	log, bin, err := install(t, r)
	require.NoError(t, err, log)
	assert.Contains(t, log, "downloading "+m.URL+"/"+tag+"/"+asset)
	assert.Contains(t, log, "checksum verified")
	assert.Equal(t, filepath.Join(r.cache, "rollbar-deploy", "9.8.7", map[string]string{"X64": "x64", "ARM64": "arm64"}[arch], "rollbar-deploy"), bin)
	out, err := exec.Command(bin).Output()
	require.NoError(t, err)
	assert.Equal(t, "rollbar-deploy "+tag+"\n", string(out))

	log, again, err := install(t, r)
	require.NoError(t, err, log)
	assert.Equal(t, bin, again)
	assert.Contains(t, log, "checksum verified)")

	// Behind a proxy told in upper case only, which wget does not read.
	proxied := r
	proxied.cache, proxied.downloadURL = t.TempDir(), "http://releases.example.invalid"
	proxied.env = []string{"HTTP_PROXY=" + m.URL, "http_proxy=", "NO_PROXY=", "no_proxy="}
	log, _, err = install(t, proxied)
	require.NoError(t, err, log)
	assert.Contains(t, log, "checksum verified")
	assert.Len(t, m.asked(), 2, "the proxy was asked")

	r.cache = filepath.Join(work, "a file")
	require.NoError(t, os.WriteFile(r.cache, nil, 0o644))
	log, bin, err = install(t, r)
	require.NoError(t, err, log)
	assert.Contains(t, log, "the tool cache "+r.cache+"/rollbar-deploy cannot be written by this job: installing in "+r.temp)
	assert.True(t, strings.HasPrefix(bin, r.temp+string(filepath.Separator)), bin)
}

// When the binary cannot be had, fail_on_error decides as it does for
// Rollbar's errors: never lets every failure pass with a warning, config an
// outage only, always none. Either way no path is written, and the message
// says what happened.
func TestInstallFailurePolicy(t *testing.T) {
	t.Parallel()
	osName, arch, asset := hostRunner(t)
	actionDir, _ := released(t, "", nil)
	notFound := serve(t, t.TempDir())
	unavailable := serve(t, t.TempDir())
	unavailable.answer(http.StatusServiceUnavailable)
	other := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(other, asset), []byte("another binary"), 0o755))
	tampered := serve(t, other)
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close()

	type failure struct {
		name, kind string
		r          runner
		says       string
	}
	failures := []failure{
		{"no such release file", "fix", runner{downloadURL: notFound.URL}, "(HTTP 404): check that the release " + tag + " has " + asset},
		{"no answer", "outage", runner{downloadURL: gone.URL}, "the server did not answer or was not available"},
		{"HTTP 503", "outage", runner{downloadURL: unavailable.URL}, "503"},
		{"not the pinned binary", "fix", runner{downloadURL: tampered.URL}, "but the release pins"},
		{"an unreleased ref without Go", "fix", runner{actionPath: t.TempDir(), path: noGo(t)}, "no Go to build it"},
	}
	if _, err := exec.LookPath("busybox"); err == nil {
		bb := busybox(t)
		failures = append(failures,
			failure{"wget: no such release file", "fix", runner{downloadURL: notFound.URL, path: bb, shell: filepath.Join(bb, "sh")}, "(HTTP 404)"},
			failure{"wget: no answer", "outage", runner{downloadURL: gone.URL, path: bb, shell: filepath.Join(bb, "sh")}, "did not answer"})
		// The system's sh: busybox's own finds its wget applet off PATH too.
		bb = busybox(t, "wget")
		failures = append(failures, failure{"neither curl nor wget", "fix", runner{downloadURL: notFound.URL, path: bb},
			"neither curl nor wget is on this job's PATH (in a container job: the job's image)"})
	}
	for _, policy := range []struct {
		name   string
		env    []string
		passes map[string]bool // by failure kind
	}{
		{"never", []string{"RD_FAIL_ON_ERROR=never"}, map[string]bool{"outage": true, "fix": true}},
		{"env false", []string{"ROLLBAR_FAIL_ON_ERROR=false"}, map[string]bool{"outage": true, "fix": true}},
		{"default config", nil, map[string]bool{"outage": true}},
		{"input always over env never", []string{"RD_FAIL_ON_ERROR=Always", "ROLLBAR_FAIL_ON_ERROR=never"}, nil},
	} {
		for _, f := range failures {
			t.Run(policy.name+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				r := f.r
				r.os, r.arch, r.cache, r.env = osName, arch, t.TempDir(), policy.env
				if r.actionPath == "" {
					r.actionPath = actionDir
				}
				log, bin, err := install(t, r)
				assert.Empty(t, bin, "no path written")
				assert.Contains(t, log, f.says)
				if policy.passes[f.kind] {
					require.NoError(t, err, log)
					assert.Regexp(t, `(?m)^::warning title=rollbar-deploy action::.*The deploy is not recorded \(fail_on_error: (never|config)\)$`, log)
				} else {
					require.Error(t, err, log)
					assert.Contains(t, log, "::error title=rollbar-deploy action::")
				}
			})
		}
	}
}

// An unreleased ref: built from the action's source with the runner's Go,
// then reused; without Go, an error saying what to do, naming the
// repository the action came from (github.action_repository, which is empty
// in the action's own steps, else the runner's _actions/OWNER/NAME/REF).
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
	assert.Contains(t, log, "::error title=rollbar-deploy action::the action at "+src+" (uses: ./…) is not a release")
	assert.Contains(t, log, "actions/setup-go")

	r.actionPath = filepath.Join(t.TempDir(), "_actions", "acme", "deploy-tools", "main")
	require.NoError(t, os.MkdirAll(r.actionPath, 0o755))
	for repo, env := range map[string][]string{"acme/deploy-tools": nil, "acme/other": {"RD_ACTION_REPOSITORY=acme/other"}} {
		r.env = env
		log, _, err = install(t, r)
		require.Error(t, err)
		assert.Contains(t, log, "this ref of "+repo+" has no released binary and the runner has no Go to build it: "+
			"use a release tag (uses: "+repo+"@v1)")
	}
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
// does for a Docker action, and the job's check run id; the install step
// gets fail_on_error too; every step is sh (a container job's image may have
// no bash); the action's outputs are the run step's.
func TestActionPassesInputsAndOutputs(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../action.yml")
	require.NoError(t, err)
	var action struct {
		Inputs  map[string]any
		Outputs map[string]struct{ Value string }
		Runs    struct {
			Steps []struct {
				ID, Shell string
				Env       map[string]string
			}
		}
	}
	require.NoError(t, yaml.Unmarshal(data, &action))
	assert.ElementsMatch(t, append(config.Inputs(), "download_url"), slices.Collect(maps.Keys(action.Inputs)))
	env := map[string]map[string]string{}
	for _, step := range action.Runs.Steps {
		env[step.ID] = step.Env
		assert.Equal(t, "sh", step.Shell, step.ID)
	}
	assert.Equal(t, "${{ inputs.fail_on_error }}", env["install"]["RD_FAIL_ON_ERROR"])
	assert.Equal(t, "${{ job.check_run_id }}", env["run"]["ROLLBAR_CHECK_RUN_ID"])
	for name := range action.Inputs {
		if name == "download_url" {
			assert.NotContains(t, env["run"], "INPUT_DOWNLOAD_URL", "download_url is for the install step only")
			continue
		}
		assert.Equal(t, "${{ inputs."+name+" }}", env["run"]["INPUT_"+strings.ToUpper(name)], name)
	}
	want := []string{"deploy_id", "deploy_url", "status", "watch_result", "new_items", "reactivated_items"}
	assert.ElementsMatch(t, want, slices.Collect(maps.Keys(action.Outputs)))
	for name, o := range action.Outputs {
		assert.Equal(t, "${{ steps.run.outputs."+name+" }}", o.Value, name)
	}
}
