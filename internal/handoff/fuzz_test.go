package handoff_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff"
	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff/handofftest"
)

// The files the pipeline writes are parsed line by line by a CI. Whatever a
// Result holds, a writer either refuses it or writes a file that parses back
// to exactly its keys and values.

func fuzzSeeds(f *testing.F) {
	f.Add(int64(45306460), "https://rollbar.com/deploy/45306460/", "succeeded", "production", "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
		"https://github.com/acme/shop/commit/0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "octocat")
	f.Add(int64(1), "https://rollbar.com/deploy/1/", "started", "prod\nevil=1", "abc\r\nEVIL<<ghadelimiter_0", "https://x/)|y|\n| a | b |", "a|b")
	f.Add(int64(-1), "x\ny", "started\n", "| Injected | row |", "`code` *b* _i_ [l](u)", "javascript:alert(1)", "<script>")
	f.Add(int64(0), "a b", "ghadelimiter_", `\|`, `\`, "http://h/\\|", "\u2028\u0085\x1b[31m")
	f.Add(int64(9), "https://rollbar.com/deploy/9/", "succeeded", "", "", "", "")
}

// FuzzWriteDotenv: a dotenv report has exactly ROLLBAR_DEPLOY_ID,
// ROLLBAR_DEPLOY_URL, ROLLBAR_DEPLOY_ENVIRONMENT and the environment's
// record, or is not written.
func FuzzWriteDotenv(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, id int64, deployURL, status, environment, revision, revisionURL, user string) {
		path := filepath.Join(t.TempDir(), "deploy.env")
		r := handoff.Result{DeployID: id, URL: deployURL, Status: status, Environment: environment, Revision: revision, RevisionURL: revisionURL, User: user}
		if err := handoff.WriteDotenv(path, r); err != nil {
			var unsafe *handoff.UnsafeValueError
			require.True(t, errors.As(err, &unsafe), "refused as unsafe: %v", err)
			assert.NoFileExists(t, path, "nothing written")
			return
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		got, err := handofftest.ParseDotenv(data)
		require.NoError(t, err)
		want := map[string]string{"ROLLBAR_DEPLOY_ID": strconv.FormatInt(id, 10), "ROLLBAR_DEPLOY_URL": deployURL, "ROLLBAR_DEPLOY_ENVIRONMENT": handoff.EscapeEnvironment(environment)}
		if key := handoff.PendingVarOf(environment); key != "" {
			if id != 0 {
				assert.Equal(t, map[string]int64{environment: -id}, handoff.DecodeRecords(got[key]), "the record names the environment exactly, and the deploy as finished")
			}
			want[key] = got[key]
		}
		assert.Equal(t, want, got)
	})
}

// FuzzGitHubPublish: GITHUB_OUTPUT and GITHUB_ENV hold exactly their keys
// and values (or nothing, when a value is refused), and the step summary is
// exactly its table.
func FuzzGitHubPublish(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, id int64, url, status, environment, revision, revisionURL, user string) {
		dir := t.TempDir()
		files := map[string]string{}
		for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"} {
			files[name] = filepath.Join(dir, name)
		}
		r := handoff.Result{DeployID: id, URL: url, Status: status, Environment: environment, Revision: revision, RevisionURL: revisionURL, User: user, Handoff: handoff.Clear}
		if status == "started" {
			r.Handoff = handoff.Save
		}
		err := handoff.GitHub{Getenv: func(k string) string { return files[k] }}.Publish(r)
		if err != nil {
			var unsafe *handoff.UnsafeValueError
			require.True(t, errors.As(err, &unsafe), "refused as unsafe: %v", err)
			data, _ := os.ReadFile(files["GITHUB_OUTPUT"])
			assert.Empty(t, data, "no outputs half set")
			return
		}
		id10 := strconv.FormatInt(id, 10)
		assert.Equal(t, map[string]string{"deploy_id": id10, "deploy_url": url, "status": status}, fuzzFileCommands(t, files["GITHUB_OUTPUT"]))
		wantEnv := map[string]string{"ROLLBAR_DEPLOY_ID": "", "ROLLBAR_DEPLOY_ENVIRONMENT": ""}
		if status == "started" {
			wantEnv = map[string]string{"ROLLBAR_DEPLOY_ID": id10, "ROLLBAR_DEPLOY_ENVIRONMENT": environment}
		}
		assert.Equal(t, wantEnv, fuzzFileCommands(t, files["GITHUB_ENV"]))

		summary, err := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
		require.NoError(t, err)
		assert.Equal(t, []string{"Environment", "Revision", "User", "Status", "Deploy"}, summaryRows(t, string(summary)))
		assert.Equal(t, handoff.Summary(r), string(summary))
	})
}

// FuzzSummary: the step summary is one heading and a table of five rows of
// two cells, whatever the values; none can add a row, a cell or a line.
func FuzzSummary(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, id int64, url, status, environment, revision, revisionURL, user string) {
		s := handoff.Summary(handoff.Result{DeployID: id, URL: url, Status: status, Environment: environment, Revision: revision, RevisionURL: revisionURL, User: user})
		assert.Equal(t, []string{"Environment", "Revision", "User", "Status", "Deploy"}, summaryRows(t, s))
		assert.NotContains(t, s, "<", "no raw HTML")
	})
}

// fuzzFileCommands parses a GitHub file-command file one step wrote as the
// runner does, failing the test on a line it rejects or a name set twice.
func fuzzFileCommands(t *testing.T, path string) map[string]string {
	return handofftest.ReadFile(t, path, handofftest.ParseFileCommandsOnce)
}

// summaryRows checks the summary's shape and returns each row's first cell.
func summaryRows(t *testing.T, s string) []string {
	t.Helper()
	rows, err := handofftest.SummaryRows([]byte(s))
	require.NoError(t, err)
	return rows
}
