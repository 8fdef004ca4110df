package drivers

import (
	"bytes"
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff"
	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff/handofftest"
)

// maxImageBytes is the size budget of the final image.
const maxImageBytes = 15_000_000

// image returns the image scripts/container-setup.sh built, named by
// ROLLBAR_DEPLOY_IMAGE (default rollbar-deploy:image-test).
func image(t *testing.T) string {
	t.Helper()
	slow(t, "podman")
	name := cmp.Or(os.Getenv("ROLLBAR_DEPLOY_IMAGE"), "rollbar-deploy:image-test")
	if exec.Command("podman", "image", "exists", name).Run() != nil {
		t.Fatalf("no image %s: run scripts/container-setup.sh --image=%s", name, name)
	}
	return name
}

// podman runs the image with the host network, the fake Rollbar being on
// 127.0.0.1; env are NAME=VALUE, mounts host:container directories, the
// last one the working directory. stdin, when not empty, is the script fed
// to the container's standard input.
func podman(t *testing.T, stdin string, env, mounts []string, args ...string) (stdout, stderr string) {
	t.Helper()
	argv := []string{"run", "--rm", "--network", "host"}
	if stdin != "" {
		argv = append(argv, "-i")
	}
	for _, e := range env {
		argv = append(argv, "-e", e)
	}
	for _, m := range mounts {
		argv = append(argv, "-v", m, "-w", m[strings.LastIndex(m, ":")+1:])
	}
	cmd := exec.Command("podman", append(argv, args...)...)
	cmd.Stdin = strings.NewReader(stdin)
	return mustRun(t, cmd)
}

func TestImage(t *testing.T) {
	img := image(t)
	out, err := exec.Command("podman", "image", "inspect", "-f", "{{.Size}} {{.Config.User}}", img).Output()
	require.NoError(t, err)
	size, user, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
	n, err := strconv.Atoi(size)
	require.NoError(t, err)
	t.Logf("image size: %d bytes (%.2f MB), budget %d", n, float64(n)/1e6, maxImageBytes)
	assert.LessOrEqual(t, n, maxImageBytes, "the image is over its budget")
	// GitHub runs a Docker action as root on a workspace it mounts.
	assert.Contains(t, []string{"", "0", "0:0", "root", "root:root"}, user, "the image does not run as root")
	version, _ := podman(t, "", nil, nil, img, "--version")
	assert.Equal(t, "rollbar-deploy v0.0.0-image-test\n", version, "the version scripts/container-setup.sh builds the image with")
}

// gitlabDetectShell is what GitLab's Docker executor passes as the command
// (`sh -c` this), keeping the image's entrypoint, before it writes the job
// script to the shell's standard input.
const gitlabDetectShell = `if [ -x /usr/local/bin/bash ]; then
	exec /usr/local/bin/bash
elif [ -x /usr/bin/bash ]; then
	exec /usr/bin/bash
elif [ -x /bin/bash ]; then
	exec /bin/bash
elif [ -x /usr/local/bin/sh ]; then
	exec /usr/local/bin/sh
elif [ -x /usr/bin/sh ]; then
	exec /usr/bin/sh
elif [ -x /bin/sh ]; then
	exec /bin/sh
elif [ -x /busybox/sh ]; then
	exec /busybox/sh
else
	echo shell not found
	exit 1
fi`

// gitlabEnv is what GitLab gives every job, with the pipeline's ROLLBAR_*
// variables.
func gitlabEnv(apiURL string) []string {
	return []string{
		"CI=true", "GITLAB_CI=true", "CI_SERVER=yes", "CI_SERVER_NAME=GitLab",
		"CI_COMMIT_SHA=" + sha, "CI_COMMIT_REF_NAME=main", "CI_COMMIT_BRANCH=main",
		"GITLAB_USER_LOGIN=gitlab-user", "CI_PROJECT_PATH=group/project",
		"CI_PROJECT_URL=https://gitlab.example.com/group/project",
		"CI_PIPELINE_ID=1001", "CI_PIPELINE_URL=https://gitlab.example.com/group/project/-/pipelines/1001",
		"CI_JOB_URL=https://gitlab.example.com/group/project/-/jobs/5001",
		"CI_REPOSITORY_URL=https://gitlab-ci-token:secret-job-token@gitlab.example.com/group/project.git",
		"ROLLBAR_ACCESS_TOKEN=" + token, "ROLLBAR_ENVIRONMENT=production", "ROLLBAR_API_URL=" + apiURL,
	}
}

// dotenvID reads a dotenv report: the deploy's id and URL.
func dotenvID(t *testing.T, path string) string {
	t.Helper()
	report := handofftest.ReadFile(t, path, handofftest.ParseDotenv)
	assert.NotEmpty(t, report["ROLLBAR_DEPLOY_URL"], "no ROLLBAR_DEPLOY_URL in the dotenv report")
	require.Regexp(t, deployID, report["ROLLBAR_DEPLOY_ID"], "no ROLLBAR_DEPLOY_ID in the dotenv report")
	return report["ROLLBAR_DEPLOY_ID"]
}

// TestGitLabJob: a started job writes a dotenv report, as the executor runs
// a job script; a later job gets ROLLBAR_DEPLOY_ID from it, in the brief
// form `sh -c 'script'`.
func TestGitLabJob(t *testing.T) {
	img := image(t)
	srv := fake(t)
	env := gitlabEnv(srv.URL)
	dir := t.TempDir()
	mounts := []string{dir + ":/builds/group/project"}
	script := "set -e\nrollbar-deploy --status started --dotenv deploy.env\ncat deploy.env\n"
	podman(t, script, env, mounts, img, "sh", "-c", gitlabDetectShell)
	id := dotenvID(t, filepath.Join(dir, "deploy.env"))
	stdout, _ := podman(t, "", append(env, "ROLLBAR_DEPLOY_ID="+id), mounts, img, "sh", "-c", "rollbar-deploy --status succeeded")
	assert.Equal(t, id, stdoutID(t, stdout))
	startedThenSucceeded(t, srv, id, sha, "production")
}

var inputRef = regexp.MustCompile(`\$\[\[ inputs\.([a-z_]+) \]\]`)

// componentEnv is the job variables templates/rollbar-deploy.yml gives its
// job, with the inputs' defaults and the input status.
func componentEnv(t *testing.T, status string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "templates/rollbar-deploy.yml"))
	require.NoError(t, err)
	var spec struct {
		Spec struct {
			Inputs map[string]struct{ Default any }
		}
	}
	var jobs map[string]struct{ Variables map[string]string }
	dec := yaml.NewDecoder(bytes.NewReader(data))
	require.NoError(t, dec.Decode(&spec))
	require.NoError(t, dec.Decode(&jobs))
	require.Len(t, jobs, 1)
	var env []string
	for _, job := range jobs {
		for name, value := range job.Variables {
			value = inputRef.ReplaceAllStringFunc(value, func(ref string) string {
				input := inputRef.FindStringSubmatch(ref)[1]
				in, ok := spec.Spec.Inputs[input]
				assert.True(t, ok, "%s: no input %s", name, input)
				if input == "status" {
					return status
				}
				return fmt.Sprint(cmp.Or(in.Default, any("")))
			})
			env = append(env, name+"="+value)
		}
	}
	require.Contains(t, env, "PLUGIN_STATUS="+status)
	slices.Sort(env)
	return env
}

// TestGitLabComponent: the component's job, started then succeeded, with
// its empty inputs leaving the pipeline's ROLLBAR_* variables in charge.
func TestGitLabComponent(t *testing.T) {
	img := image(t)
	srv := fake(t)
	dir := t.TempDir()
	mounts := []string{dir + ":/builds/group/project"}
	podman(t, "", append(gitlabEnv(srv.URL), componentEnv(t, "started")...), mounts, img, "sh", "-c", "rollbar-deploy")
	id := dotenvID(t, filepath.Join(dir, "rollbar-deploy.env"))
	env := append(gitlabEnv(srv.URL), componentEnv(t, "succeeded")...)
	podman(t, "", append(env, "ROLLBAR_DEPLOY_ID="+id), mounts, img, "sh", "-c", "rollbar-deploy")
	startedThenSucceeded(t, srv, id, sha, "production")
}

// TestPlugins: two plugin steps, started then succeeded, that share only
// the workspace.
func TestPlugins(t *testing.T) {
	img := image(t)
	for _, tc := range []struct {
		name, workspace, environment string
		env                          []string
	}{
		{"drone", "/drone/src", "staging", []string{
			"CI=true", "DRONE=true", "DRONE_COMMIT_SHA=" + sha, "DRONE_COMMIT=" + sha,
			"DRONE_COMMIT_AUTHOR=drone-user", "DRONE_BRANCH=main", "DRONE_REPO=octo/app",
			"DRONE_BUILD_LINK=https://drone.example.com/octo/app/42", "DRONE_BUILD_NUMBER=42",
			"DRONE_WORKSPACE=/drone/src",
		}},
		{"woodpecker", "/woodpecker/src/octo/app", "production", []string{
			"CI=woodpecker", "CI_SYSTEM_NAME=woodpecker", "CI_COMMIT_SHA=" + sha,
			"CI_COMMIT_AUTHOR=woodpecker-user", "CI_COMMIT_BRANCH=main", "CI_REPO=octo/app",
			"CI_PIPELINE_URL=https://ci.example.com/repos/7/pipeline/12", "CI_PIPELINE_NUMBER=12",
			"CI_WORKSPACE=/woodpecker/src/octo/app", "PLUGIN_FAIL_ON_ERROR=always",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := fake(t)
			dir := t.TempDir()
			mounts := []string{dir + ":" + tc.workspace}
			env := append(tc.env, "PLUGIN_ACCESS_TOKEN="+token, "PLUGIN_ENVIRONMENT="+tc.environment, "PLUGIN_API_URL="+srv.URL)
			stdout, _ := podman(t, "", append(env, "PLUGIN_STATUS=started"), mounts, img)
			// Read as the later step reads it.
			kept, _, err := handoff.LoadIDs(dir)
			require.NoError(t, err)
			id := stdoutID(t, stdout)
			assert.Equal(t, map[string]int64{tc.environment: mustID(t, id)}, kept, "the started step kept another id in the workspace")
			podman(t, "", append(env, "PLUGIN_STATUS=succeeded"), mounts, img)
			startedThenSucceeded(t, srv, id, sha, tc.environment)
			assert.NoFileExists(t, filepath.Join(dir, ".rollbar-deploy-id"), "left behind after the final status")
		})
	}
}

// TestDockerAction: two steps of a Docker action as the runner starts it,
// INPUT_* for every input of action.yml ("" when not given) and the file
// commands; the second step gets ROLLBAR_DEPLOY_ID through GITHUB_ENV.
func TestDockerAction(t *testing.T) {
	img := image(t)
	srv := fake(t)
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	require.NoError(t, err)
	var action struct{ Inputs map[string]any }
	require.NoError(t, yaml.Unmarshal(data, &action))
	require.NotEmpty(t, action.Inputs)

	dir := t.TempDir()
	files := filepath.Join(dir, "file_commands")
	writeFile(t, filepath.Join(dir, "workflow/event.json"),
		`{"head_commit":{"id":"`+sha+`","committer":{"username":"web-flow"},"author":{"username":"gh-user"}}}`, 0o644)
	mounts := []string{dir + "/workflow:/github/workflow", files + ":/github/file_commands",
		dir + "/home:/github/home", dir + "/workspace:/github/workspace"}
	for _, m := range mounts {
		require.NoError(t, os.MkdirAll(m[:strings.Index(m, ":")], 0o755))
	}
	common := []string{
		"CI=true", "GITHUB_ACTIONS=true", "GITHUB_SHA=" + sha, "GITHUB_REF=refs/heads/main",
		"GITHUB_REPOSITORY=octo/app", "GITHUB_SERVER_URL=https://github.com", "GITHUB_RUN_ID=99",
		"GITHUB_RUN_ATTEMPT=1", "GITHUB_ACTOR=gh-actor", "GITHUB_EVENT_NAME=push",
		"GITHUB_WORKSPACE=/github/workspace", "GITHUB_EVENT_PATH=/github/workflow/event.json",
		"HOME=/github/home", "ROLLBAR_ACCESS_TOKEN=" + token, "ROLLBAR_API_URL=" + srv.URL,
	}
	var id string
	for _, status := range []string{"started", "succeeded"} {
		env := slices.Clone(common)
		for name := range action.Inputs {
			value := map[string]string{"environment": "production", "status": status}[name]
			env = append(env, "INPUT_"+strings.ToUpper(strings.ReplaceAll(name, " ", "_"))+"="+value)
		}
		for f, name := range map[string]string{"output": "GITHUB_OUTPUT", "env": "GITHUB_ENV", "summary": "GITHUB_STEP_SUMMARY"} {
			writeFile(t, filepath.Join(files, f+"_"+status), "", 0o644)
			env = append(env, name+"=/github/file_commands/"+f+"_"+status)
		}
		if id != "" {
			env = append(env, "ROLLBAR_DEPLOY_ID="+id)
		}
		podman(t, "", env, mounts, img)
		if status == "started" {
			id = handofftest.ReadFile(t, filepath.Join(files, "env_started"), handofftest.ParseFileCommands)["ROLLBAR_DEPLOY_ID"]
			require.NotEmpty(t, id, "the started step wrote no ROLLBAR_DEPLOY_ID to GITHUB_ENV")
		}
	}
	started := handofftest.ReadFile(t, filepath.Join(files, "output_started"), handofftest.ParseFileCommands)
	assert.Equal(t, id, started["deploy_id"])
	assert.NotEmpty(t, started["deploy_url"])
	succeeded := handofftest.ReadFile(t, filepath.Join(files, "output_succeeded"), handofftest.ParseFileCommands)
	assert.Equal(t, "succeeded", succeeded["status"])
	cleared := handofftest.ReadFile(t, filepath.Join(files, "env_succeeded"), handofftest.ParseFileCommands)
	assert.Empty(t, cleared["ROLLBAR_DEPLOY_ID"], "GITHUB_ENV keeps the id after the final status")
	entries, err := os.ReadDir(files)
	require.NoError(t, err)
	for _, e := range entries {
		written, err := os.ReadFile(filepath.Join(files, e.Name()))
		require.NoError(t, err)
		assert.NotContains(t, string(written), token, "the token is in %s", e.Name())
	}
	startedThenSucceeded(t, srv, id, sha, "production")
}

func mustID(t *testing.T, s string) int64 {
	t.Helper()
	id, err := strconv.ParseInt(s, 10, 64)
	require.NoError(t, err)
	return id
}
