package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/pipeline/pipelinetest"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

// The checks of issue 4: the built binary as each CI runs it, with only the
// variables that CI sets, against the fake Rollbar.

const (
	pushSHA    = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567" // the head commit of testdata/github-push-web-flow.json
	versionSHA = "fedcba9876543210fedcba9876543210fedcba98"
)

// officialInputs are the inputs action.yml declares. The runner sets each one
// as INPUT_<NAME> in a Docker action's environment, "" when the workflow
// does not give it.
var officialInputs = []string{
	"access_token", "read_access_token", "environment", "revision", "version", "rollbar_username",
	"local_username", "comment", "status", "deploy_id", "source_maps", "minified_urls", "url_prefix",
	"fail_on_error", "api_url", "timeout", "dry_run", "dotenv",
}

func TestActionDeclaresTheInputs(t *testing.T) {
	t.Parallel()
	assert.Subset(t, actionYMLInputs(t, "../action.yml"), officialInputs)
}

// action.yml against the code: every input it declares is one the binary
// reads, every setting has its input, and its outputs are the ones written.
func TestActionMatchesTheCode(t *testing.T) {
	t.Parallel()
	assert.ElementsMatch(t, config.Inputs(), actionYMLInputs(t, "../action.yml"))

	srv := fakeRollbar(t)
	s := dockerActionStep(t, srv, map[string]string{"INPUT_ACCESS_TOKEN": "post-token", "INPUT_ENVIRONMENT": "production"})
	res := s.run(t)
	require.Equal(t, 0, res.code, res)
	var written []string
	for k := range runnerFileCommand(t, s.output) {
		written = append(written, k)
	}
	assert.ElementsMatch(t, actionYMLKeys(t, "../action.yml", "outputs"), written)
}

// actionYMLInputs reads the input names of an action.yml.
func actionYMLInputs(t *testing.T, path string) []string { return actionYMLKeys(t, path, "inputs") }

// actionYMLKeys reads the keys indented by two spaces under a top-level key
// of an action.yml.
func actionYMLKeys(t *testing.T, path, section string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	key := regexp.MustCompile(`^  ([A-Za-z0-9_-]+):\s*$`)
	var names []string
	in := false
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case line == section+":":
			in = true
		case in && line != "" && !strings.HasPrefix(line, " ") && !strings.HasPrefix(line, "#"):
			in = false
		case in:
			if m := key.FindStringSubmatch(line); m != nil {
				names = append(names, m[1])
			}
		}
	}
	return names
}

// runnerFileCommand reads a GITHUB_OUTPUT or GITHUB_ENV file as the runner
// does, failing the test on anything it would reject. A missing file is no
// variables.
func runnerFileCommand(t *testing.T, path string) map[string]string {
	t.Helper()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return map[string]string{}
	}
	return pipelinetest.ReadFile(t, path, pipelinetest.ParseFileCommands)
}

// readDotenv reads a GitLab dotenv report, failing on lines GitLab refuses.
func readDotenv(t *testing.T, path string) map[string]string {
	return pipelinetest.ReadFile(t, path, pipelinetest.ParseDotenv)
}

// actionStep is one GitHub Actions actionStep of a Docker action: its own file-command
// files, the workflow's event payload and an empty workspace (no checkout).
type actionStep struct {
	workspace            string
	output, env, summary string
	vars                 map[string]string
}

// dockerActionStep makes the environment the runner gives a Docker action: every
// declared input ("" unless given), the default variables, the file-command
// paths. inputs are given inputs by name.
func dockerActionStep(t *testing.T, srv *rollbartest.Server, inputs map[string]string) actionStep {
	t.Helper()
	files := t.TempDir()
	event := filepath.Join(files, "event.json")
	payload, err := os.ReadFile("testdata/github-push-web-flow.json")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(event, payload, 0o644))
	s := actionStep{
		workspace: t.TempDir(),
		output:    filepath.Join(files, "set_output"), env: filepath.Join(files, "set_env"), summary: filepath.Join(files, "step_summary"),
	}
	s.vars = map[string]string{
		"CI": "true", "GITHUB_ACTIONS": "true",
		"GITHUB_SHA": pushSHA, "GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main", "GITHUB_REF_TYPE": "branch",
		"GITHUB_REPOSITORY": "acme/shop", "GITHUB_REPOSITORY_OWNER": "acme",
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_API_URL": "https://api.github.com",
		"GITHUB_RUN_ID": "11223344", "GITHUB_RUN_NUMBER": "17", "GITHUB_RUN_ATTEMPT": "2",
		"GITHUB_ACTOR": "grace", "GITHUB_TRIGGERING_ACTOR": "grace", "GITHUB_EVENT_NAME": "push",
		"GITHUB_WORKFLOW": "deploy", "GITHUB_JOB": "deploy", "GITHUB_ACTION": "__acme_rollbar-deploy",
		"GITHUB_EVENT_PATH": event, "GITHUB_WORKSPACE": s.workspace,
		"GITHUB_OUTPUT": s.output, "GITHUB_ENV": s.env, "GITHUB_STEP_SUMMARY": s.summary,
		"RUNNER_OS": "Linux", "RUNNER_TEMP": files,
	}
	for _, name := range append(actionYMLInputs(t, "../action.yml"), officialInputs...) {
		s.vars["INPUT_"+strings.ToUpper(name)] = ""
	}
	s.vars["INPUT_API_URL"] = srv.URL
	for name, v := range inputs {
		s.vars[name] = v
	}
	return s
}

func (s actionStep) run(t *testing.T, args ...string) result {
	t.Helper()
	return run(t, s.workspace, s.vars, args...)
}

func nthDeployID(t *testing.T, srv *rollbartest.Server, i int) string {
	t.Helper()
	deploys := srv.Deploys()
	require.Greater(t, len(deploys), i)
	return strconv.FormatInt(deploys[i].ID, 10)
}

func stdoutLines(s string) []string { return strings.Split(strings.TrimSuffix(s, "\n"), "\n") }

func TestGitHubDockerAction(t *testing.T) {
	t.Parallel()
	for name, token := range map[string]map[string]string{
		"input":            {"INPUT_ACCESS_TOKEN": "post-token"},
		"hyphenated input": {"INPUT_ACCESS-TOKEN": "post-token"},
		"env":              {"ROLLBAR_ACCESS_TOKEN": "post-token"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := fakeRollbar(t)
			s := dockerActionStep(t, srv, merge(token, map[string]string{"INPUT_ENVIRONMENT": "production"}))
			res := s.run(t)
			require.Equal(t, 0, res.code, res)

			deploys := srv.Deploys()
			require.Len(t, deploys, 1)
			d := deploys[0]
			id := strconv.FormatInt(d.ID, 10)
			assert.Equal(t, pushSHA, d.Revision, "GITHUB_SHA, with no checkout")
			assert.Equal(t, "ada", d.LocalUsername, "the author, as the committer is web-flow")
			assert.Equal(t, "https://github.com/acme/shop/actions/runs/11223344/attempts/2", d.Comment)
			assert.Equal(t, "production", d.Environment)
			assert.Equal(t, "succeeded", d.Status)

			assert.Equal(t, map[string]string{
				"deploy_id": id, "deploy_url": "https://rollbar.com/deploy/" + id + "/", "status": "succeeded",
			}, runnerFileCommand(t, s.output))
			assert.Equal(t, map[string]string{"ROLLBAR_DEPLOY_ID": ""}, runnerFileCommand(t, s.env))

			summary, err := os.ReadFile(s.summary)
			require.NoError(t, err)
			for _, row := range []string{
				"| Environment | production |",
				"| Revision | [0a1b2c3](https://github.com/acme/shop/commit/" + pushSHA + ") |",
				"| User | ada |",
				"| Status | succeeded |",
				"| Deploy | [" + id + "](https://rollbar.com/deploy/" + id + "/) |",
			} {
				assert.Contains(t, string(summary), row)
			}

			out := stdoutLines(res.stdout)
			assert.Equal(t, "::add-mask::post-token", out[0], "the mask comes first")
			assert.Contains(t, out, id, "the id alone on a line")
			assert.Contains(t, res.stdout, "::notice::Rollbar deploy "+id+" (production, succeeded): https://rollbar.com/deploy/"+id+"/")
			assert.Equal(t, 1, strings.Count(res.output(), "post-token"), "only the mask names the token")
			assert.NotContains(t, res.output(), "dubious ownership")

			req := srv.Requests()[0]
			assert.Equal(t, "post-token", req.Header.Get("X-Rollbar-Access-Token"))
			assert.NotContains(t, string(req.Body), "post-token")
		})
	}
}

func TestGitHubDeploymentEventEnvironment(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	s := dockerActionStep(t, srv, map[string]string{"ROLLBAR_ACCESS_TOKEN": "post-token"})
	event := filepath.Join(t.TempDir(), "event.json")
	require.NoError(t, os.WriteFile(event, []byte(`{"deployment":{"id":1,"sha":"`+pushSHA+`","environment":"staging","creator":{"login":"ada"}}}`), 0o644))
	s.vars["GITHUB_EVENT_PATH"], s.vars["GITHUB_EVENT_NAME"] = event, "deployment"
	res := s.run(t)
	require.Equal(t, 0, res.code, res)
	assert.Equal(t, "staging", srv.Deploys()[0].Environment)
}

func TestGitHubTwoPhase(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	inputs := map[string]string{"INPUT_ACCESS_TOKEN": "post-token", "INPUT_ENVIRONMENT": "production"}

	first := dockerActionStep(t, srv, merge(inputs, map[string]string{"INPUT_STATUS": "started"}))
	res := first.run(t)
	require.Equal(t, 0, res.code, res)
	id := nthDeployID(t, srv, 0)
	assert.Equal(t, "started", runnerFileCommand(t, first.output)["status"])
	exported := runnerFileCommand(t, first.env)
	assert.Equal(t, map[string]string{"ROLLBAR_DEPLOY_ID": id}, exported)

	// The runner gives later steps of the job what GITHUB_ENV set, and each
	// actionStep files of its own.
	second := dockerActionStep(t, srv, merge(inputs, exported, map[string]string{"INPUT_STATUS": "success"}))
	res = second.run(t)
	require.Equal(t, 0, res.code, res)
	assert.Contains(t, stdoutLines(res.stdout), id)

	deploys := srv.Deploys()
	require.Len(t, deploys, 1, "the started deploy was updated, not a new one recorded")
	assert.Equal(t, "succeeded", deploys[0].Status)
	last := srv.Requests()[len(srv.Requests())-1]
	assert.Equal(t, "PATCH", last.Method)
	assert.Equal(t, "/api/1/deploy/"+id, last.Path)
	assert.JSONEq(t, `{"status":"succeeded"}`, string(last.Body), "the run URL was sent when the deploy started")

	assert.Equal(t, map[string]string{"deploy_id": id, "deploy_url": "https://rollbar.com/deploy/" + id + "/", "status": "succeeded"},
		runnerFileCommand(t, second.output))
	assert.Equal(t, map[string]string{"ROLLBAR_DEPLOY_ID": ""}, runnerFileCommand(t, second.env), "a final status clears the id for later steps")
}

// The official action's inputs, unchanged: version, DEPLOY_ID, ROLLBAR_USERNAME
// and the source_maps/minified_urls pairs.
func TestGitHubOfficialActionInputs(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	official := map[string]string{
		"ROLLBAR_ACCESS_TOKEN": "post-token", "ROLLBAR_USERNAME": "ada-rollbar",
		"INPUT_ENVIRONMENT": "production", "INPUT_VERSION": versionSHA, "INPUT_LOCAL_USERNAME": "release-bot",
		"INPUT_SOURCE_MAPS":   "dist/app.min.js.map dist/vendor.min.js.map",
		"INPUT_MINIFIED_URLS": "https://cdn.example.com/app.min.js https://cdn.example.com/vendor.min.js",
	}

	started := dockerActionStep(t, srv, merge(official, map[string]string{"INPUT_STATUS": "started", "INPUT_SOURCE_MAPS": "", "INPUT_MINIFIED_URLS": ""}))
	res := started.run(t)
	require.Equal(t, 0, res.code, res)
	id := runnerFileCommand(t, started.output)["deploy_id"]
	require.Equal(t, nthDeployID(t, srv, 0), id)
	d := srv.Deploys()[0]
	assert.Equal(t, versionSHA, d.Revision, "version is the revision")
	assert.Equal(t, "ada-rollbar", d.RollbarUsername)
	assert.NotZero(t, d.UserID)
	assert.Equal(t, "release-bot", d.LocalUsername)

	// The official action's second actionStep passes the id as DEPLOY_ID.
	finish := dockerActionStep(t, srv, merge(official, map[string]string{"DEPLOY_ID": id, "INPUT_STATUS": "succeeded"}))
	copySourceMaps(t, finish.workspace)
	res = finish.run(t)
	require.Equal(t, 0, res.code, res)
	require.Len(t, srv.Deploys(), 1)
	assert.Equal(t, "succeeded", srv.Deploys()[0].Status)

	maps := srv.SourceMaps()
	require.Len(t, maps, 2)
	assert.Equal(t, "https://cdn.example.com/app.min.js", maps[0].MinifiedURL)
	assert.Equal(t, "https://cdn.example.com/vendor.min.js", maps[1].MinifiedURL)
	for _, m := range maps {
		assert.Equal(t, versionSHA, m.Version)
	}
	assert.Contains(t, string(maps[0].SourceMap), `"file":"app.min.js"`)

	var order []string
	for _, r := range srv.Requests() {
		order = append(order, r.Method+" "+r.Path)
	}
	assert.Equal(t, []string{"POST /api/1/deploy", "POST /api/1/sourcemap", "POST /api/1/sourcemap", "PATCH /api/1/deploy/" + id}, order,
		"the maps are uploaded before the final status")
}

func copySourceMaps(t *testing.T, workspace string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(workspace, "dist"), 0o755))
	for _, name := range []string{"app.min.js.map", "vendor.min.js.map"} {
		data, err := os.ReadFile(filepath.Join("testdata", "sourcemaps", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(workspace, "dist", name), data, 0o644))
	}
}

const gitlabJobToken = "glcbt-64_JobTokenSecret"

func gitlabJob(srv *rollbartest.Server) map[string]string {
	return map[string]string{
		"CI": "true", "GITLAB_CI": "true", "CI_SERVER": "yes", "CI_SERVER_NAME": "GitLab",
		"CI_SERVER_URL": "https://gitlab.example.com", "CI_PROJECT_URL": "https://gitlab.example.com/group/project",
		"CI_PROJECT_PATH": "group/project", "CI_COMMIT_SHA": pushSHA, "CI_COMMIT_SHORT_SHA": pushSHA[:8],
		"CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main", "CI_COMMIT_AUTHOR": "Jane Doe <jane@example.com>",
		"GITLAB_USER_LOGIN": "jane", "GITLAB_USER_NAME": "Jane Doe", "CI_PIPELINE_ID": "555", "CI_JOB_ID": "777",
		"CI_PIPELINE_URL":     "https://gitlab.example.com/group/project/-/pipelines/555",
		"CI_JOB_URL":          "https://gitlab.example.com/group/project/-/jobs/777",
		"CI_ENVIRONMENT_NAME": "production", "CI_ENVIRONMENT_SLUG": "production",
		"CI_JOB_TOKEN":         gitlabJobToken,
		"CI_REPOSITORY_URL":    "https://gitlab-ci-token:" + gitlabJobToken + "@gitlab.example.com/group/project.git",
		"ROLLBAR_ACCESS_TOKEN": "post-token", "ROLLBAR_API_URL": srv.URL,
	}
}

func TestGitLabDotenv(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	job := gitlabJob(srv)

	first := t.TempDir()
	res := run(t, first, merge(job, map[string]string{"CI_JOB_NAME": "deploy-start"}), "--status", "started", "--dotenv", "deploy.env")
	require.Equal(t, 0, res.code, res)
	id := nthDeployID(t, srv, 0)
	assert.Equal(t, id+"\n", res.stdout)
	report := readDotenv(t, filepath.Join(first, "deploy.env"))
	assert.Equal(t, map[string]string{"ROLLBAR_DEPLOY_ID": id, "ROLLBAR_DEPLOY_URL": "https://rollbar.com/deploy/" + id + "/"}, report)

	d := srv.Deploys()[0]
	assert.Equal(t, pushSHA, d.Revision)
	assert.Equal(t, "jane", d.LocalUsername)
	assert.Equal(t, "production", d.Environment)
	assert.Equal(t, "https://gitlab.example.com/group/project/-/pipelines/555", d.Comment)
	assert.Equal(t, "started", d.Status)

	// GitLab hands the report's variables to the jobs of later stages.
	second := t.TempDir()
	res2 := run(t, second, merge(job, report, map[string]string{"CI_JOB_NAME": "deploy-finish"}), "--status", "succeeded")
	require.Equal(t, 0, res2.code, res2)
	assert.Equal(t, id+"\n", res2.stdout)
	require.Len(t, srv.Deploys(), 1)
	assert.Equal(t, "succeeded", srv.Deploys()[0].Status)

	dry := run(t, second, job, "--dry-run")
	require.Equal(t, 0, dry.code, dry)
	for _, r := range []result{res, res2, dry} {
		assert.NotContains(t, r.output(), gitlabJobToken)
	}
	for _, r := range srv.Requests() {
		raw, _ := json.Marshal(r)
		assert.NotContains(t, string(raw), gitlabJobToken, "the job token never reaches Rollbar")
	}
}

// pluginRunner is Drone or Woodpecker running the tool as a plugin.
type pluginRunner struct {
	name      string
	env       func(workspace, api string) map[string]string
	token     string // the plugin setting that carries the token
	setting   func(name string) string
	workspace bool // the CI names the workspace (else it is the working directory)
}

func pluginRunners() []pluginRunner {
	drone := func(ws, api string) map[string]string {
		env := map[string]string{
			"CI": "true", "DRONE": "true", "DRONE_COMMIT_SHA": pushSHA, "DRONE_COMMIT": pushSHA, "DRONE_COMMIT_AUTHOR": "jane",
			"DRONE_COMMIT_AUTHOR_NAME": "Jane Doe", "DRONE_BUILD_LINK": "https://drone.example.com/acme/shop/42",
			"DRONE_DEPLOY_TO": "production", "DRONE_REPO": "acme/shop", "DRONE_BRANCH": "main", "DRONE_BUILD_EVENT": "promote",
			"PLUGIN_API-URL": api,
		}
		if ws != "" {
			env["DRONE_WORKSPACE"] = ws
		}
		return env
	}
	woodpecker := func(ws, api string) map[string]string {
		env := map[string]string{
			"CI": "woodpecker", "CI_SYSTEM_NAME": "woodpecker", "CI_COMMIT_SHA": pushSHA, "CI_COMMIT_AUTHOR": "jane",
			"CI_PIPELINE_URL": "https://ci.example.com/repos/3/pipeline/42", "CI_PIPELINE_DEPLOY_TARGET": "production",
			"CI_PIPELINE_EVENT": "deployment", "CI_REPO": "acme/shop", "CI_COMMIT_BRANCH": "main",
			"PLUGIN_API_URL": api,
		}
		if ws != "" {
			env["CI_WORKSPACE"] = ws
		}
		return env
	}
	upper := strings.ToUpper
	return []pluginRunner{
		{"Drone", drone, "PLUGIN_ACCESS-TOKEN", func(n string) string { return "PLUGIN_" + upper(strings.ReplaceAll(n, "_", "-")) }, true},
		{"Drone without a workspace variable", drone, "PLUGIN_ACCESS-TOKEN", func(n string) string { return "PLUGIN_" + upper(n) }, false},
		{"Woodpecker", woodpecker, "PLUGIN_ACCESS_TOKEN", func(n string) string { return "PLUGIN_" + upper(n) }, true},
		{"Woodpecker without a workspace variable", woodpecker, "PLUGIN_ACCESS_TOKEN", func(n string) string { return "PLUGIN_" + upper(n) }, false},
	}
}

func TestPluginTwoPhase(t *testing.T) {
	t.Parallel()
	for _, p := range pluginRunners() {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			srv := fakeRollbar(t)
			workspace, cwd, wsVar := t.TempDir(), t.TempDir(), ""
			if p.workspace {
				wsVar = workspace
			} else {
				cwd = workspace
			}
			env := merge(p.env(wsVar, srv.URL), map[string]string{p.token: "post-token"})
			idFile := filepath.Join(workspace, ".rollbar-deploy-id")

			res := run(t, cwd, merge(env, map[string]string{p.setting("status"): "started"}))
			require.Equal(t, 0, res.code, res)
			id := nthDeployID(t, srv, 0)
			assert.Equal(t, id+"\n", res.stdout)
			saved, err := os.ReadFile(idFile)
			require.NoError(t, err, "the id is kept in the workspace")
			assert.Equal(t, id+"\n", string(saved))
			d := srv.Deploys()[0]
			assert.Equal(t, pushSHA, d.Revision)
			assert.Equal(t, "jane", d.LocalUsername)
			assert.Equal(t, "production", d.Environment)
			assert.Equal(t, "started", d.Status)
			assert.Contains(t, d.Comment, "42")

			// A actionStep in between that runs the deploy sees nothing of it; the
			// last actionStep passes the pipeline's outcome.
			res = run(t, cwd, merge(env, map[string]string{p.setting("status"): "failure"}))
			require.Equal(t, 0, res.code, res)
			assert.Equal(t, id+"\n", res.stdout)
			require.Len(t, srv.Deploys(), 1, "the started deploy was updated")
			assert.Equal(t, "failed", srv.Deploys()[0].Status)
			assert.NoFileExists(t, idFile, "cleared after the final status")

			// The next pipeline starts afresh.
			res = run(t, cwd, env)
			require.Equal(t, 0, res.code, res)
			assert.Len(t, srv.Deploys(), 2)
			assert.NoFileExists(t, idFile)
			assert.NotContains(t, res.output(), "post-token")
		})
	}
}

func herokuReleaseEnv(srv *rollbartest.Server, version, commit string) map[string]string {
	return map[string]string{
		"DYNO": "release.1234", "PORT": "", "HEROKU_APP_NAME": "shop", "HEROKU_APP_ID": "9daa2797-e49b-4624-932f-ec3f9688e3da",
		"HEROKU_DYNO_ID": "1vac4117-c29f-4312-521e-ba4d8638c1ac", "HEROKU_RELEASE_VERSION": version,
		"HEROKU_RELEASE_CREATED_AT": "2024-11-21T12:00:00Z", "HEROKU_BUILD_COMMIT": commit, "HEROKU_SLUG_COMMIT": commit,
		"HEROKU_BUILD_DESCRIPTION": "Deploy " + commit[:7],
		"ROLLBAR_ENV":              "production", "ROLLBAR_ACCESS_TOKEN": "both-token",
		// The Rollbar add-on's variable, an endpoint under /api/1/.
		"ROLLBAR_ENDPOINT": srv.URL + "/api/1/item/",
	}
}

func TestHerokuReleasePhase(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	slug := t.TempDir() // no .git in a slug

	res := run(t, slug, herokuReleaseEnv(srv, "v42", pushSHA))
	require.Equal(t, 0, res.code, res)
	require.Len(t, srv.Deploys(), 1)
	first := srv.Deploys()[0]
	assert.Equal(t, pushSHA, first.Revision)
	assert.Equal(t, "production", first.Environment)
	assert.Equal(t, "Heroku release v42 of shop: https://dashboard.heroku.com/apps/shop/activity", first.Comment)
	assert.Empty(t, first.LocalUsername, "Heroku does not tell who deployed")
	assert.Equal(t, strconv.FormatInt(first.ID, 10)+"\n", res.stdout)

	// A config-var change makes a release with the same code.
	res = run(t, slug, herokuReleaseEnv(srv, "v43", pushSHA))
	require.Equal(t, 0, res.code, res)
	assert.Len(t, srv.Deploys(), 1, "nothing recorded")
	assert.Contains(t, res.stderr, "no new code, nothing recorded")

	res = run(t, slug, herokuReleaseEnv(srv, "v44", versionSHA))
	require.Equal(t, 0, res.code, res)
	require.Len(t, srv.Deploys(), 2, "new code is recorded")

	rollback := herokuReleaseEnv(srv, "v45", pushSHA)
	rollback["HEROKU_RELEASE_DESCRIPTION"] = "Rollback to v42"
	res = run(t, slug, rollback)
	require.Equal(t, 0, res.code, res)
	require.Len(t, srv.Deploys(), 3, "a rollback is recorded")
	assert.Equal(t, pushSHA, srv.Deploys()[2].Revision)
	assert.Equal(t, "Heroku release v45 of shop, a rollback to v42: https://dashboard.heroku.com/apps/shop/activity", srv.Deploys()[2].Comment)

	// Without a token that can read, the tool cannot tell: it records.
	noRead := herokuReleaseEnv(srv, "v46", pushSHA)
	noRead["ROLLBAR_ACCESS_TOKEN"] = "post-token"
	res = run(t, slug, noRead)
	require.Equal(t, 0, res.code, res)
	assert.Len(t, srv.Deploys(), 4)
}

func TestHerokuFailuresNeverBlockTheRelease(t *testing.T) {
	t.Parallel()
	t.Run("outage", func(t *testing.T) {
		t.Parallel()
		srv := fakeRollbar(t)
		srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultStatus, Status: 503, Times: 1000})
		res := run(t, t.TempDir(), merge(herokuReleaseEnv(srv, "v42", pushSHA), map[string]string{"ROLLBAR_TIMEOUT": "1s"}))
		assert.Equal(t, 0, res.code, res)
		assert.Empty(t, res.stdout)
		assert.Contains(t, res.stderr, "warning:")
		assert.Contains(t, res.stderr, "503")
		assert.Empty(t, srv.Deploys())
	})
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		srv := fakeRollbar(t)
		env := herokuReleaseEnv(srv, "v42", pushSHA)
		srv.Close()
		res := run(t, t.TempDir(), merge(env, map[string]string{"ROLLBAR_TIMEOUT": "1s"}))
		assert.Equal(t, 0, res.code, res)
		assert.Contains(t, res.stderr, "warning:")
	})
	t.Run("rejected token", func(t *testing.T) {
		t.Parallel()
		srv := fakeRollbar(t)
		res := run(t, t.TempDir(), merge(herokuReleaseEnv(srv, "v42", pushSHA), map[string]string{"ROLLBAR_ACCESS_TOKEN": "revoked-token"}))
		assert.Equal(t, 0, res.code, res)
		assert.Empty(t, res.stdout)
		assert.Contains(t, res.stderr, "warning:")
		assert.Contains(t, res.stderr, "401")
		assert.Contains(t, res.stderr, "fail_on_error is never")
		assert.NotContains(t, res.output(), "revoked-token")
	})
}

func TestDryRunNamesProviderAndSources(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	gh := dockerActionStep(t, srv, map[string]string{"INPUT_ENVIRONMENT": "production", "INPUT_ACCESS-TOKEN": "post-token"})
	ws := t.TempDir()
	plugins := pluginRunners()
	tests := []struct {
		name     string
		env      map[string]string
		provider string
		rows     []string // setting, value and source, as regexps
	}{
		{"GitHub", gh.vars, "GitHub Actions", []string{
			`revision\s+` + pushSHA + `\s+GITHUB_SHA`,
			`local_username\s+ada\s+GITHUB_EVENT_PATH head_commit.author.username`,
			`comment\s+https://github.com/acme/shop/actions/runs/11223344/attempts…\s+GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID/attempts/GITHUB_RUN_ATTEMPT`,
			`environment\s+production\s+INPUT_ENVIRONMENT`,
			`access_token\s+\*\*\*\s+INPUT_ACCESS-TOKEN`,
			`api_url\s+http://127.0.0.1:\d+\s+INPUT_API_URL`,
		}},
		{"GitLab", gitlabJob(srv), "GitLab CI", []string{
			`revision\s+` + pushSHA + `\s+CI_COMMIT_SHA`,
			`local_username\s+jane\s+GITLAB_USER_LOGIN`,
			`comment\s+https://gitlab.example.com/group/project/-/pipelines/555\s+CI_PIPELINE_URL`,
			`environment\s+production\s+CI_ENVIRONMENT_NAME`,
			`access_token\s+\*\*\*\s+ROLLBAR_ACCESS_TOKEN`,
		}},
		{"Drone", merge(plugins[0].env(ws, srv.URL), map[string]string{"PLUGIN_ACCESS-TOKEN": "post-token", "PLUGIN_STATUS": "started"}), "Drone", []string{
			`revision\s+` + pushSHA + `\s+DRONE_COMMIT_SHA`,
			`local_username\s+jane\s+DRONE_COMMIT_AUTHOR`,
			`comment\s+https://drone.example.com/acme/shop/42\s+DRONE_BUILD_LINK`,
			`environment\s+production\s+DRONE_DEPLOY_TO`,
			`status\s+started\s+PLUGIN_STATUS`,
			`access_token\s+\*\*\*\s+PLUGIN_ACCESS-TOKEN`,
			`api_url\s+http://127.0.0.1:\d+\s+PLUGIN_API-URL`,
		}},
		{"Woodpecker", merge(plugins[2].env(ws, srv.URL), map[string]string{"PLUGIN_ACCESS_TOKEN": "post-token", "PLUGIN_FAIL_ON_ERROR": "never"}), "Woodpecker", []string{
			`revision\s+` + pushSHA + `\s+CI_COMMIT_SHA`,
			`local_username\s+jane\s+CI_COMMIT_AUTHOR`,
			`comment\s+https://ci.example.com/repos/3/pipeline/42\s+CI_PIPELINE_URL`,
			`environment\s+production\s+CI_PIPELINE_DEPLOY_TARGET`,
			`fail_on_error\s+never\s+PLUGIN_FAIL_ON_ERROR`,
			`access_token\s+\*\*\*\s+PLUGIN_ACCESS_TOKEN`,
		}},
		{"Heroku", herokuReleaseEnv(srv, "v42", pushSHA), "Heroku", []string{
			`revision\s+` + pushSHA + `\s+HEROKU_BUILD_COMMIT`,
			`comment\s+Heroku release v42 of shop: https://dashboard.heroku.com/ap…\s+HEROKU_RELEASE_VERSION, HEROKU_APP_NAME`,
			`environment\s+production\s+ROLLBAR_ENV`,
			`fail_on_error\s+never\s+Heroku default`,
			`api_url\s+http://127.0.0.1:\d+\s+ROLLBAR_ENDPOINT`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, t.TempDir(), tt.env, "--dry-run")
			require.Equal(t, 0, res.code, res)
			assert.Contains(t, res.stdout, "Dry run: nothing is sent. CI provider: "+tt.provider+"\n")
			for _, row := range tt.rows {
				assert.Regexp(t, `(?m)^`+row+`\s*$`, res.stdout)
			}
			assert.NotContains(t, strings.TrimPrefix(res.stdout, "::add-mask::post-token\n"), "post-token")
		})
	}
	assert.Empty(t, srv.Requests(), "dry runs send nothing")
	assert.NoFileExists(t, gh.output)
	assert.NoFileExists(t, filepath.Join(ws, ".rollbar-deploy-id"))
}

// Values from the environment are data: one that carries a newline never
// adds a key to a file a CI parses.
func TestValuesCannotInjectOutputs(t *testing.T) {
	t.Parallel()
	const evil = "production\nINJECTED=1\nROLLBAR_DEPLOY_ID<<EOF\n666\nEOF"

	t.Run("GitHub environment", func(t *testing.T) {
		t.Parallel()
		srv := fakeRollbar(t)
		s := dockerActionStep(t, srv, map[string]string{"INPUT_ACCESS_TOKEN": "post-token", "INPUT_ENVIRONMENT": evil, "INPUT_STATUS": "started"})
		res := s.run(t)
		require.Equal(t, 0, res.code, res)
		id := nthDeployID(t, srv, 0)
		assert.Equal(t, map[string]string{"deploy_id": id, "deploy_url": "https://rollbar.com/deploy/" + id + "/", "status": "started"},
			runnerFileCommand(t, s.output))
		assert.Equal(t, map[string]string{"ROLLBAR_DEPLOY_ID": id}, runnerFileCommand(t, s.env))
		summary, err := os.ReadFile(s.summary)
		require.NoError(t, err)
		assert.NotRegexp(t, `(?m)^(INJECTED|ROLLBAR_DEPLOY_ID|666|EOF)`, string(summary))
		assert.Contains(t, string(summary), "| Environment | production INJECTED=1 ROLLBAR\\_DEPLOY\\_ID&lt;&lt;EOF 666 EOF |")
	})
	t.Run("GitHub status", func(t *testing.T) {
		t.Parallel()
		srv := fakeRollbar(t)
		s := dockerActionStep(t, srv, map[string]string{"INPUT_ACCESS_TOKEN": "post-token", "INPUT_ENVIRONMENT": "production", "INPUT_STATUS": "started\nINJECTED=1"})
		res := s.run(t)
		assert.Equal(t, 2, res.code, res)
		assert.Contains(t, res.stdout, "::error::")
		assert.Empty(t, srv.Deploys())
		assert.Empty(t, runnerFileCommand(t, s.output))
		assert.Empty(t, runnerFileCommand(t, s.env))
	})
	t.Run("GitLab dotenv", func(t *testing.T) {
		t.Parallel()
		srv := fakeRollbar(t)
		dir := t.TempDir()
		res := run(t, dir, merge(gitlabJob(srv), map[string]string{"CI_ENVIRONMENT_NAME": evil}), "--status", "started", "--dotenv", "deploy.env")
		require.Equal(t, 0, res.code, res)
		id := nthDeployID(t, srv, 0)
		assert.Equal(t, map[string]string{"ROLLBAR_DEPLOY_ID": id, "ROLLBAR_DEPLOY_URL": "https://rollbar.com/deploy/" + id + "/"},
			readDotenv(t, filepath.Join(dir, "deploy.env")))
	})
	t.Run("dotenv status", func(t *testing.T) {
		t.Parallel()
		srv := fakeRollbar(t)
		dir := t.TempDir()
		res := run(t, dir, merge(gitlabJob(srv), map[string]string{"ROLLBAR_DEPLOY_STATUS": "started\nROLLBAR_DEPLOY_ID=666"}), "--dotenv", "deploy.env")
		assert.Equal(t, 2, res.code, res)
		assert.NoFileExists(t, filepath.Join(dir, "deploy.env"))
		assert.Empty(t, srv.Deploys())
	})
}
