package e2e

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The checks of issue 3, as a user would run them.

func TestDryRunOnACheckout(t *testing.T) {
	t.Parallel()
	dir, sha := checkout(t, "Jane Committer")
	res := run(t, dir, nil, "--dry-run", "--environment", "staging")
	require.Equal(t, 0, res.code, res)
	assert.Contains(t, res.stdout, sha)
	assert.Regexp(t, `revision\s+`+sha+`\s+git HEAD`, res.stdout)
	assert.Regexp(t, `local_username\s+Jane Committer\s+git committer of HEAD`, res.stdout)
	assert.Regexp(t, `environment\s+staging\s+--environment`, res.stdout)
	assert.Contains(t, res.stdout, "nothing is sent")
}

func TestDryRunSendsNothing(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	dir, _ := checkout(t, "Jane")
	res := run(t, dir, map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token"}, "--environment=prod", "--dry-run", "--json")
	require.Equal(t, 0, res.code, res)
	assert.Empty(t, srv.Requests())
	var out struct {
		Method   string                       `json:"method"`
		Settings map[string]map[string]string `json:"settings"`
	}
	require.NoError(t, json.Unmarshal([]byte(res.stdout), &out), res.stdout)
	assert.Equal(t, "POST", out.Method)
	assert.Equal(t, "***", out.Settings["access_token"]["value"])
	assert.NotContains(t, res.output(), "post-token")
}

func TestRecordPrintsOnlyTheID(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	dir, sha := checkout(t, "Jane Committer")
	res := run(t, dir, map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token"}, "--environment", "production")
	require.Equal(t, 0, res.code, res)

	deploys := srv.Deploys()
	require.Len(t, deploys, 1)
	assert.Equal(t, strconv.FormatInt(deploys[0].ID, 10)+"\n", res.stdout, "stdout carries the id alone")
	assert.Equal(t, sha, deploys[0].Revision)
	assert.Equal(t, "Jane Committer", deploys[0].LocalUsername)
	assert.Equal(t, "production", deploys[0].Environment)

	req := srv.Requests()[0]
	assert.Equal(t, "post-token", req.Header.Get("X-Rollbar-Access-Token"))
	assert.Empty(t, req.RawQuery)
	assert.NotContains(t, string(req.Body), "post-token", "the token is in the header only")
	assert.NotContains(t, res.output(), "post-token")
}

func TestStartedThenUpdatedThenRead(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	srv.Seed(25, "production")
	dir, _ := checkout(t, "Jane")
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token", "ROLLBAR_READ_ACCESS_TOKEN": "read-token"}

	started := run(t, dir, env, "--environment", "production", "--status", "started")
	require.Equal(t, 0, started.code, started)
	id := strings.TrimSpace(started.stdout)

	updated := run(t, dir, env, "update", "--deploy-id", id, "--status", "succeeded")
	require.Equal(t, 0, updated.code, updated)
	assert.Equal(t, id+"\n", updated.stdout)
	last := srv.Requests()[len(srv.Requests())-1]
	assert.Equal(t, "PATCH", last.Method)
	assert.Equal(t, "/api/1/deploy/"+id, last.Path)

	got := run(t, dir, env, "get", id, "--json")
	require.Equal(t, 0, got.code, got)
	var d struct {
		ID     int64  `json:"id"`
		Status string `json:"status"`
	}
	require.NoError(t, json.Unmarshal([]byte(got.stdout), &d))
	assert.Equal(t, id, strconv.FormatInt(d.ID, 10))
	assert.Equal(t, "succeeded", d.Status)

	list := run(t, dir, env, "list", "--all", "--json")
	require.Equal(t, 0, list.code, list)
	var deploys []struct {
		ID int64 `json:"id"`
	}
	require.NoError(t, json.Unmarshal([]byte(list.stdout), &deploys), list.stdout)
	require.Len(t, deploys, 26, "every deploy, across two pages")
	for i := 1; i < len(deploys); i++ {
		assert.Greater(t, deploys[i-1].ID, deploys[i].ID, "newest first")
	}
	assert.Equal(t, id, strconv.FormatInt(deploys[0].ID, 10))

	table := run(t, dir, env, "list")
	require.Equal(t, 0, table.code, table)
	lines := strings.Split(strings.TrimSpace(table.stdout), "\n")
	assert.Len(t, lines, 21, "a header and one page of 20")
	assert.Regexp(t, `^ID\s+ENVIRONMENT\s+REVISION\s+STATUS`, lines[0])
	assert.Regexp(t, `^`+id+`\s+production\s+`, lines[1])
}

func TestUserErrors(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	srv.Seed(1, "production")
	dir, _ := checkout(t, "Jane")
	base := map[string]string{"ROLLBAR_API_URL": srv.URL}
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		want []string
	}{
		{"no token", nil, []string{"--environment", "production"}, 2, []string{"ROLLBAR_ACCESS_TOKEN"}},
		{"rejected token", map[string]string{"ROLLBAR_ACCESS_TOKEN": "revoked-token-123"}, []string{"--environment", "production"}, 1,
			[]string{"401", "invalid access token", "Hint:"}},
		{"environment too long", map[string]string{"ROLLBAR_ACCESS_TOKEN": "post-token"}, []string{"--environment", strings.Repeat("e", 300)}, 2,
			[]string{"environment", "300 characters", "at most 255"}},
		{"unknown status", map[string]string{"ROLLBAR_ACCESS_TOKEN": "post-token"}, []string{"--environment", "p", "--status", "finished"}, 2,
			[]string{"status", "finished", "started, succeeded, failed, timed_out"}},
		{"unknown deploy", map[string]string{"ROLLBAR_ACCESS_TOKEN": "read-token"}, []string{"get", "999"}, 1,
			[]string{"Deploy not found in this project."}},
		{"unknown flag", nil, []string{"--environmen", "p"}, 2, []string{"unknown flag --environmen"}},
		{"unknown command", nil, []string{"deploy"}, 2, []string{`unknown command "deploy"`}},
		{"update without status", map[string]string{"ROLLBAR_ACCESS_TOKEN": "post-token"}, []string{"update", "--deploy-id", "5"}, 2, []string{"--status"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			before := len(srv.Deploys())
			res := run(t, dir, merge(base, tt.env), tt.args...)
			assert.Equal(t, tt.code, res.code, res)
			assert.Empty(t, res.stdout, "errors go to stderr")
			for _, w := range tt.want {
				assert.Contains(t, res.stderr, w)
			}
			assert.NotContains(t, res.output(), "revoked-token-123")
			assert.NotContains(t, res.output(), "panic")
			if tt.code == 2 {
				assert.Len(t, srv.Deploys(), before, "nothing sent")
			}
		})
	}
}

func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	help := run(t, dir, nil, "--help")
	assert.Equal(t, 0, help.code)
	assert.Contains(t, help.stdout, "rollbar-deploy list")
	version := run(t, dir, nil, "--version")
	assert.Equal(t, 0, version.code)
	assert.Equal(t, "rollbar-deploy e2e\n", version.stdout)
}
