package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/cli"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

// In-process runs of cli.Command.Main: the environment is a map, the writers
// are buffers, the clock is fixed and Rollbar is the in-process fake.

const (
	headSHA   = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
	committer = "Jane Committer"
)

var clock = time.Date(2024, 11, 21, 12, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return clock }

type outcome struct {
	code           int
	stdout, stderr string
}

func (o outcome) String() string {
	return "exit " + strconv.Itoa(o.code) + "\n--- stdout\n" + o.stdout + "--- stderr\n" + o.stderr
}

// fake starts the in-process fake Rollbar on the fixed clock.
func fake(t *testing.T) *rollbartest.Server {
	t.Helper()
	srv := rollbartest.NewServer(rollbartest.WithClock(fixedNow))
	t.Cleanup(srv.Close)
	return srv
}

// mainIn runs the command in dir with exactly env; git HEAD is headSHA by
// committer, as if dir were a checkout.
func mainIn(t *testing.T, dir string, env map[string]string, args ...string) outcome {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := &cli.Command{
		Stdout: &stdout, Stderr: &stderr,
		Getenv:   func(k string) string { return env[k] },
		ReadFile: os.ReadFile,
		Now:      fixedNow,
		Dir:      dir,
		Version:  "test",
		Git: func(context.Context, string) (git.Commit, error) {
			return git.Commit{SHA: headSHA, Committer: committer}, nil
		},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := cmd.Main(ctx, args)
	return outcome{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

func mainRun(t *testing.T, env map[string]string, args ...string) outcome {
	t.Helper()
	return mainIn(t, t.TempDir(), env, args...)
}

func with(base map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range base {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestExitCodesFollowThePolicy(t *testing.T) {
	t.Parallel()
	outage := rollbartest.Fault{Kind: rollbartest.FaultStatus, Status: 503, Times: 1000}
	notFound := []string{"update", "--deploy-id", "999", "--status", "succeeded"}
	record := []string{"--environment", "production", "--timeout", "1s"}
	tests := []struct {
		name   string
		env    []string // pairs added to the API URL
		args   []string
		fault  *rollbartest.Fault
		code   int
		stderr []string
		sent   bool // a deploy was recorded
	}{
		{"recorded", []string{"ROLLBAR_ACCESS_TOKEN", "post-token"}, record, nil, 0, []string{"succeeded: https://rollbar.com/deploy/"}, true},

		{"no token", nil, record, nil, 2, []string{"error:", "ROLLBAR_ACCESS_TOKEN"}, false},
		{"no token, never", []string{"ROLLBAR_FAIL_ON_ERROR", "never"}, record, nil, 0, []string{"warning:", "ROLLBAR_ACCESS_TOKEN", "fail_on_error is never"}, false},
		{"no token, always", []string{"ROLLBAR_FAIL_ON_ERROR", "always"}, record, nil, 2, []string{"ROLLBAR_ACCESS_TOKEN"}, false},
		{"invalid status", []string{"ROLLBAR_ACCESS_TOKEN", "post-token"}, append([]string{"--status", "finished"}, record...), nil, 2, []string{"status", "finished"}, false},
		{"invalid policy", []string{"ROLLBAR_ACCESS_TOKEN", "post-token", "ROLLBAR_FAIL_ON_ERROR", "sometimes"}, record, nil, 2, []string{"fail_on_error", "sometimes"}, false},
		{"invalid status, never", []string{"ROLLBAR_ACCESS_TOKEN", "post-token"}, append([]string{"--status", "finished", "--fail-on-error", "never"}, record...), nil, 0, []string{"warning:", "finished"}, false},
		{"unknown flag, never", []string{"ROLLBAR_FAIL_ON_ERROR", "never"}, []string{"--environmen", "p"}, nil, 2, []string{"unknown flag --environmen"}, false},

		{"rejected token", []string{"ROLLBAR_ACCESS_TOKEN", "revoked-token"}, record, nil, 1, []string{"401", "invalid access token", "Hint:"}, false},
		{"rejected token, never", []string{"ROLLBAR_ACCESS_TOKEN", "revoked-token", "ROLLBAR_FAIL_ON_ERROR", "false"}, record, nil, 0, []string{"warning:", "401"}, false},
		{"rejected token, always", []string{"ROLLBAR_ACCESS_TOKEN", "revoked-token", "ROLLBAR_FAIL_ON_ERROR", "true"}, record, nil, 1, []string{"401"}, false},
		{"token without the scope", []string{"ROLLBAR_ACCESS_TOKEN", "read-token"}, record, nil, 1, []string{"403", "insufficient privileges", "post_server_item"}, false},
		{"unknown deploy", []string{"ROLLBAR_ACCESS_TOKEN", "post-token"}, notFound, nil, 1, []string{"404", "Deploy not found in this project.", "another Rollbar project"}, false},

		{"outage", []string{"ROLLBAR_ACCESS_TOKEN", "post-token"}, record, &outage, 0, []string{"warning:", "503", "does not fail the deploy"}, false},
		{"outage, never", []string{"ROLLBAR_ACCESS_TOKEN", "post-token", "INPUT_FAIL_ON_ERROR", "never"}, record, &outage, 0, []string{"warning:", "503"}, false},
		{"outage, always", []string{"ROLLBAR_ACCESS_TOKEN", "post-token"}, append([]string{"--fail-on-error", "always"}, record...), &outage, 1, []string{"error:", "503", "gave up after"}, false},

		{"get failure, never", []string{"ROLLBAR_ACCESS_TOKEN", "read-token", "ROLLBAR_FAIL_ON_ERROR", "never"}, []string{"get", "999"}, nil, 1, []string{"404"}, false},
		{"list failure, never", []string{"ROLLBAR_ACCESS_TOKEN", "post-token", "ROLLBAR_FAIL_ON_ERROR", "never"}, []string{"list"}, nil, 1, []string{"403", "read"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fake(t)
			if tt.fault != nil {
				srv.Inject(*tt.fault)
			}
			res := mainRun(t, with(map[string]string{"ROLLBAR_API_URL": srv.URL}, tt.env...), tt.args...)
			assert.Equal(t, tt.code, res.code, res)
			for _, w := range tt.stderr {
				assert.Contains(t, res.stderr, w, res)
			}
			if tt.sent {
				require.Len(t, srv.Deploys(), 1)
				assert.Equal(t, strconv.FormatInt(srv.Deploys()[0].ID, 10)+"\n", res.stdout)
			} else {
				assert.Empty(t, srv.Deploys())
				assert.Empty(t, res.stdout, "nothing recorded: nothing on stdout")
			}
			assert.NotContains(t, res.stderr, "revoked-token")
			assert.NotContains(t, res.stderr, "goroutine", "no stack traces")
		})
	}
}

func TestHerokuNeverFailsTheRelease(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	heroku := map[string]string{
		"DYNO": "release.1234", "HEROKU_APP_NAME": "shop", "HEROKU_RELEASE_VERSION": "v42",
		"HEROKU_BUILD_COMMIT": headSHA, "ROLLBAR_ENV": "production", "ROLLBAR_API_URL": srv.URL,
	}
	res := mainRun(t, with(heroku, "ROLLBAR_ACCESS_TOKEN", "revoked-token"))
	assert.Equal(t, 0, res.code, res)
	assert.Contains(t, res.stderr, "warning:")
	assert.Contains(t, res.stderr, "401")

	res = mainRun(t, with(heroku, "ROLLBAR_ACCESS_TOKEN", "revoked-token", "ROLLBAR_FAIL_ON_ERROR", "config"))
	assert.Equal(t, 1, res.code, "a user may ask for failures: %s", res)
}

func TestOutputDiscipline(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token", "ROLLBAR_READ_ACCESS_TOKEN": "read-token"}

	started := mainRun(t, env, "--environment", "production", "--status", "started", "--verbose")
	require.Equal(t, 0, started.code, started)
	id := srv.Deploys()[0].ID
	assert.Equal(t, strconv.FormatInt(id, 10)+"\n", started.stdout, "stdout is the id alone")
	assert.Contains(t, started.stderr, "rollbar-deploy: deploy "+strconv.FormatInt(id, 10)+" started: https://rollbar.com/deploy/")
	assert.NotContains(t, started.stdout+started.stderr, "post-token", "not even in verbose mode")
	assert.NotContains(t, started.stdout+started.stderr, "read-token")

	updated := mainRun(t, env, "update", "--deploy-id", strconv.FormatInt(id, 10), "--status", "success")
	require.Equal(t, 0, updated.code, updated)
	assert.Equal(t, strconv.FormatInt(id, 10)+"\n", updated.stdout)
	assert.Equal(t, "succeeded", srv.Deploys()[0].Status, "a CI word maps to Rollbar's status")
	assert.Len(t, srv.Deploys(), 1)

	deploy := srv.Deploys()[0]
	assert.Equal(t, headSHA, deploy.Revision)
	assert.Equal(t, committer, deploy.LocalUsername)
}

func TestUpdateOfATimedOutDeployRecordsANewOne(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "both-token"}
	started := mainRun(t, env, "--environment", "production", "--status", "started")
	require.Equal(t, 0, started.code, started)
	old := srv.Deploys()[0].ID
	require.True(t, srv.TimeOut(old))

	res := mainRun(t, with(env, "ROLLBAR_DEPLOY_ID", strconv.FormatInt(old, 10)), "--status", "failed")
	require.Equal(t, 0, res.code, res)
	deploys := srv.Deploys()
	require.Len(t, deploys, 2)
	assert.Equal(t, "timed_out", deploys[0].Status)
	assert.Equal(t, "failed", deploys[1].Status)
	assert.Equal(t, "production", deploys[1].Environment)
	assert.Equal(t, strconv.FormatInt(deploys[1].ID, 10)+"\n", res.stdout)
	assert.Contains(t, res.stderr, "timed deploy "+strconv.FormatInt(old, 10)+" out")
}

func TestJSONShapes(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "both-token"}

	rec := mainRun(t, env, "--environment", "production", "--comment", "release 1", "--json")
	require.Equal(t, 0, rec.code, rec)
	var recorded map[string]any
	require.NoError(t, json.Unmarshal([]byte(rec.stdout), &recorded), rec.stdout)
	assert.ElementsMatch(t, []string{"deploy_id", "deploy_url", "status", "environment", "revision"}, keys(recorded))
	id := int64(recorded["deploy_id"].(float64))
	assert.Equal(t, srv.Deploys()[0].ID, id)
	assert.Equal(t, "https://rollbar.com/deploy/"+strconv.FormatInt(id, 10)+"/", recorded["deploy_url"])
	assert.Equal(t, "succeeded", recorded["status"])
	assert.Equal(t, headSHA, recorded["revision"])

	got := mainRun(t, env, "get", strconv.FormatInt(id, 10), "--json")
	require.Equal(t, 0, got.code, got)
	var deploy map[string]any
	require.NoError(t, json.Unmarshal([]byte(got.stdout), &deploy), got.stdout)
	for _, k := range []string{"id", "environment", "revision", "local_username", "comment", "start_time", "finish_time", "status", "url"} {
		assert.Contains(t, deploy, k)
	}
	assert.Equal(t, float64(id), deploy["id"])
	assert.Equal(t, "release 1", deploy["comment"])
	assert.Equal(t, float64(clock.Unix()), deploy["start_time"])
	assert.Equal(t, recorded["deploy_url"], deploy["url"])

	list := mainRun(t, env, "list", "--json")
	require.Equal(t, 0, list.code, list)
	var deploys []map[string]any
	require.NoError(t, json.Unmarshal([]byte(list.stdout), &deploys), list.stdout)
	require.Len(t, deploys, 1)
	assert.Equal(t, deploy, deploys[0], "list rows are get's objects")

	empty := mainRun(t, env, "list", "--page", "2", "--json")
	require.Equal(t, 0, empty.code, empty)
	assert.Equal(t, "[]\n", empty.stdout, "an empty page is an empty array, not null")

	dry := mainRun(t, env, "--environment", "production", "--dry-run", "--json")
	require.Equal(t, 0, dry.code, dry)
	var plan map[string]any
	require.NoError(t, json.Unmarshal([]byte(dry.stdout), &plan), dry.stdout)
	assert.ElementsMatch(t, []string{"dry_run", "provider", "method", "url", "body", "settings"}, keys(plan))
	assert.Equal(t, srv.URL+"/api/1/deploy", plan["url"])
	assert.NotContains(t, dry.stdout, "both-token")
	assert.Len(t, srv.Deploys(), 1, "the dry run sent nothing")
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestFlagsBeforeAndAfterPositionals(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	srv.Seed(3, "production")
	srv.Seed(2, "staging")
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "read-token"}
	id := strconv.FormatInt(srv.Deploys()[0].ID, 10)

	var want string
	for _, args := range [][]string{
		{"get", id, "--json"},
		{"get", "--json", id},
		{"--json", "get", id},
		{"--json", "get", "--timeout=5s", id},
	} {
		res := mainRun(t, env, args...)
		require.Equal(t, 0, res.code, "%q: %s", args, res)
		if want == "" {
			want = res.stdout
		}
		assert.Equal(t, want, res.stdout, "%q", args)
	}

	want = ""
	for _, args := range [][]string{
		{"list", "--environment", "production", "--limit", "2", "--json"},
		{"--limit=2", "list", "--environment=production", "--json"},
		{"--json", "--environment", "production", "list", "--limit", "2"},
	} {
		res := mainRun(t, env, args...)
		require.Equal(t, 0, res.code, "%q: %s", args, res)
		if want == "" {
			want = res.stdout
		}
		assert.Equal(t, want, res.stdout, "%q", args)
	}
}

func TestList(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	srv.Seed(25, "production")
	srv.Seed(5, "staging") // newest: page 1 is 5 staging and 15 production
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_READ_ACCESS_TOKEN": "read-token"}
	all := srv.Deploys()
	slices.Reverse(all) // newest first, as Rollbar lists them
	idsOf := func(env string) []int64 {
		var ids []int64
		for _, d := range all {
			if env == "" || d.Environment == env {
				ids = append(ids, d.ID)
			}
		}
		return ids
	}

	tests := []struct {
		name string
		env  []string // pairs added to env
		args []string
		want []int64
	}{
		{"one page", nil, nil, idsOf("")[:20]},
		{"second page", nil, []string{"--page", "2"}, idsOf("")[20:]},
		{"past the last page", nil, []string{"--page", "3"}, nil},
		{"all", nil, []string{"--all"}, idsOf("")},
		{"limit within a page", nil, []string{"--limit", "3"}, idsOf("")[:3]},
		{"limit across pages", nil, []string{"--limit", "22"}, idsOf("")[:22]},
		{"limit past the end", nil, []string{"--limit", "100"}, idsOf("")},
		{"environment on one page", nil, []string{"--environment", "production"}, idsOf("production")[:15]},
		{"environment with a limit follows pages", nil, []string{"--environment", "production", "--limit", "20"}, idsOf("production")[:20]},
		{"environment, all", nil, []string{"--environment", "production", "--all"}, idsOf("production")},
		{"environment and page", nil, []string{"--environment", "production", "--page", "2"}, idsOf("production")[15:]},
		{"environment from a variable", []string{"ROLLBAR_ENVIRONMENT", "staging"}, []string{"--all"}, idsOf("staging")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := mainRun(t, with(env, tt.env...), append([]string{"list", "--json"}, tt.args...)...)
			require.Equal(t, 0, res.code, res)
			var got []struct {
				ID int64 `json:"id"`
			}
			require.NoError(t, json.Unmarshal([]byte(res.stdout), &got), res.stdout)
			ids := []int64{}
			for _, d := range got {
				ids = append(ids, d.ID)
			}
			assert.Equal(t, append([]int64{}, tt.want...), ids)
		})
	}

	table := mainRun(t, env, "list", "--limit", "2")
	require.Equal(t, 0, table.code, table)
	lines := strings.Split(strings.TrimSpace(table.stdout), "\n")
	require.Len(t, lines, 3)
	assert.Regexp(t, `^ID\s+ENVIRONMENT\s+REVISION\s+STATUS\s+STARTED \(UTC\)`, lines[0])
	assert.Regexp(t, `^`+strconv.FormatInt(all[0].ID, 10)+`\s+staging\s+\S+\s+succeeded\s+2024-11-21 12:00`, lines[1])
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "both-token"}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "--page", "0"}, "--page"},
		{[]string{"list", "--limit", "-1"}, "--limit"},
		{[]string{"list", "extra"}, "list takes no arguments"},
		{[]string{"get"}, "get needs a deploy id"},
		{[]string{"get", "abc"}, `numeric deploy id, got "abc"`},
		{[]string{"get", "1", "2"}, "one deploy id"},
		{[]string{"record", "extra", "--environment", "p"}, `record takes no arguments, got "extra"`},
		{[]string{"update", "--status", "failed"}, "deploy_id"},
		{[]string{"--dry-run=maybe"}, "dry-run"},
		{[]string{"--environment"}, "environment"},
		{[]string{"deploy"}, `unknown command "deploy"`},
	} {
		res := mainRun(t, env, tt.args...)
		assert.Equal(t, 2, res.code, "%q: %s", tt.args, res)
		assert.Empty(t, res.stdout, "%q", tt.args)
		assert.Contains(t, res.stderr, tt.want, "%q", tt.args)
	}
	assert.Empty(t, srv.Requests(), "a usage error sends nothing")
}

func TestGetReadsTheDeployIDSetting(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	srv.Seed(1, "production")
	id := strconv.FormatInt(srv.Deploys()[0].ID, 10)
	res := mainRun(t, map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_READ_ACCESS_TOKEN": "read-token", "ROLLBAR_DEPLOY_ID": id}, "get")
	require.Equal(t, 0, res.code, res)
	assert.Regexp(t, `(?m)^id\s+`+id+`$`, res.stdout)
	assert.Regexp(t, `(?m)^environment\s+production$`, res.stdout)
	assert.Regexp(t, `(?m)^url\s+https://rollbar.com/deploy/`+id+`/$`, res.stdout)
}

func TestGitHubActionsOutput(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	dir := t.TempDir()
	files := map[string]string{}
	for _, f := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"} {
		files[f] = filepath.Join(dir, strings.ToLower(f))
	}
	env := with(files, "GITHUB_ACTIONS", "true", "GITHUB_SHA", headSHA, "GITHUB_REPOSITORY", "acme/shop",
		"GITHUB_SERVER_URL", "https://github.com", "GITHUB_RUN_ID", "42", "GITHUB_ACTOR", "octocat",
		"ROLLBAR_API_URL", srv.URL, "INPUT_ACCESS_TOKEN", "post-token", "INPUT_ENVIRONMENT", "production")

	res := mainIn(t, dir, env)
	require.Equal(t, 0, res.code, res)
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	require.GreaterOrEqual(t, len(lines), 3, res)
	assert.Equal(t, "::add-mask::post-token", lines[0], "the mask comes before anything else")
	id := strconv.FormatInt(srv.Deploys()[0].ID, 10)
	assert.Contains(t, lines, id)
	assert.Contains(t, res.stdout, "::notice::Rollbar deploy "+id)
	assert.Equal(t, 1, strings.Count(res.stdout, "post-token"), "only the mask names the token")

	// A failure is an annotation on stdout, where the runner reads them.
	bad := mainIn(t, dir, with(env, "INPUT_ACCESS_TOKEN", "revoked-token"))
	assert.Equal(t, 1, bad.code, bad)
	assert.True(t, strings.HasPrefix(bad.stdout, "::add-mask::revoked-token\n"), bad.stdout)
	assert.Contains(t, bad.stdout, "::error::")
	assert.Contains(t, bad.stdout, "401")
}

func TestGitHubOutputFileProblemsAreReported(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	env := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_SHA": headSHA, "GITHUB_OUTPUT": filepath.Join(t.TempDir(), "missing", "out"),
		"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token", "ROLLBAR_ENVIRONMENT": "production",
	}
	res := mainRun(t, env)
	assert.Equal(t, 1, res.code, "a deploy the pipeline cannot see is a failure: %s", res)
	assert.Contains(t, res.stdout, "::error::deploy "+strconv.FormatInt(srv.Deploys()[0].ID, 10)+" was recorded, but handing it to the pipeline failed")
	assert.Contains(t, res.stdout, "GITHUB_OUTPUT")
}

func TestDotenvAndWorkspaceFile(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	dir := t.TempDir()
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token", "ROLLBAR_ENVIRONMENT": "production"}

	res := mainIn(t, dir, env, "--status", "started", "--dotenv", "deploy.env")
	require.Equal(t, 0, res.code, res)
	id := strconv.FormatInt(srv.Deploys()[0].ID, 10)
	data, err := os.ReadFile(filepath.Join(dir, "deploy.env"))
	require.NoError(t, err, "a relative dotenv path is the working directory's")
	assert.Equal(t, "ROLLBAR_DEPLOY_ID="+id+"\nROLLBAR_DEPLOY_URL=https://rollbar.com/deploy/"+id+"/\n", string(data))
	assert.NoFileExists(t, filepath.Join(dir, ".rollbar-deploy-id"), "only Drone and Woodpecker keep the id in the workspace")

	drone := with(env, "DRONE", "true", "DRONE_COMMIT_SHA", headSHA)
	res = mainIn(t, dir, drone, "--status", "started")
	require.Equal(t, 0, res.code, res)
	second := strconv.FormatInt(srv.Deploys()[1].ID, 10)
	data, err = os.ReadFile(filepath.Join(dir, ".rollbar-deploy-id"))
	require.NoError(t, err)
	assert.Equal(t, second+"\n", string(data))

	res = mainIn(t, dir, drone, "--status", "failure")
	require.Equal(t, 0, res.code, res)
	assert.Equal(t, second+"\n", res.stdout)
	assert.Len(t, srv.Deploys(), 2, "the started deploy was updated")
	assert.Equal(t, "failed", srv.Deploys()[1].Status)
	assert.NoFileExists(t, filepath.Join(dir, ".rollbar-deploy-id"))

	require.NoError(t, os.WriteFile(filepath.Join(dir, ".rollbar-deploy-id"), []byte("garbage"), 0o644))
	res = mainIn(t, dir, drone)
	assert.NotEqual(t, 0, res.code, res)
	assert.Contains(t, res.stderr, ".rollbar-deploy-id does not hold a deploy id")
}

func TestInterrupted(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	srv.Inject(rollbartest.Fault{Kind: rollbartest.FaultHang})
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	cmd := &cli.Command{
		Stdout: &stdout, Stderr: &stderr, Now: fixedNow, Dir: t.TempDir(),
		Getenv: func(k string) string {
			return map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token",
				"ROLLBAR_ENVIRONMENT": "production", "ROLLBAR_REVISION": headSHA}[k]
		},
	}
	done := make(chan int)
	go func() { done <- cmd.Main(ctx, nil) }()
	time.Sleep(100 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, 1, code, stderr.String())
		assert.Contains(t, stderr.String(), "interrupted")
	case <-time.After(10 * time.Second):
		t.Fatal("Main did not return after the context was cancelled")
	}
}

// The dry run of an update shows the body the update sends: with a CI run
// URL as the only comment, none, since the started deploy already has it.
func TestDryRunShowsTheUpdateItWouldSend(t *testing.T) {
	t.Parallel()
	srv := fake(t)
	env := map[string]string{
		"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token",
		"GITLAB_CI": "true", "CI_COMMIT_SHA": "abc", "CI_PIPELINE_URL": "https://gitlab.example.com/p/-/pipelines/1",
	}
	started := mainRun(t, env, "--environment", "production", "--status", "started")
	require.Equal(t, 0, started.code, started)
	id := strings.TrimSpace(started.stdout)

	dry := mainRun(t, env, "update", "--deploy-id", id, "--status", "succeeded", "--dry-run", "--json")
	require.Equal(t, 0, dry.code, dry)
	var plan struct {
		Method string          `json:"method"`
		Body   json.RawMessage `json:"body"`
	}
	require.NoError(t, json.Unmarshal([]byte(dry.stdout), &plan), dry.stdout)

	sent := mainRun(t, env, "update", "--deploy-id", id, "--status", "succeeded")
	require.Equal(t, 0, sent.code, sent)
	reqs := srv.Requests()
	patch := reqs[len(reqs)-1]
	require.Equal(t, "PATCH", patch.Method)
	assert.Equal(t, "PATCH", plan.Method)
	assert.JSONEq(t, string(patch.Body), string(plan.Body))
}
