package handoff

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff/handofftest"
)

// parseFileCommand reads a GITHUB_OUTPUT or GITHUB_ENV file as the runner
// does, failing the test on anything the runner would reject.
func parseFileCommand(t *testing.T, path string) map[string]string {
	return handofftest.ReadFile(t, path, handofftest.ParseFileCommands)
}

type githubFiles struct{ output, env, summary string }

func newGitHubFiles(t *testing.T) (githubFiles, func(string) string) {
	dir := t.TempDir()
	f := githubFiles{filepath.Join(dir, "output"), filepath.Join(dir, "env"), filepath.Join(dir, "summary")}
	vars := map[string]string{"GITHUB_OUTPUT": f.output, "GITHUB_ENV": f.env, "GITHUB_STEP_SUMMARY": f.summary}
	return f, func(k string) string { return vars[k] }
}

func result(status string) Result {
	r := Result{
		DeployID: 45306460, URL: "https://rollbar.com/deploy/45306460/", Status: status,
		Environment: "production", Revision: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
		RevisionURL: "https://github.com/acme/shop/commit/0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", User: "octocat",
		Handoff: Clear,
	}
	if status == "started" {
		r.Handoff = Save
	}
	return r
}

func TestGitHubPublish(t *testing.T) {
	t.Parallel()
	files, getenv := newGitHubFiles(t)
	gh := GitHub{Getenv: getenv}

	require.NoError(t, gh.Publish(result("started")))
	assert.NoFileExists(t, files.summary, "the deploy's table comes with its final state")
	assert.Equal(t, map[string]string{
		"deploy_id": "45306460", "deploy_url": "https://rollbar.com/deploy/45306460/", "status": "started",
	}, parseFileCommand(t, files.output))
	assert.Equal(t, map[string]string{"ROLLBAR_DEPLOY_ID": "45306460", "ROLLBAR_DEPLOY_ENVIRONMENT": "production"}, parseFileCommand(t, files.env),
		"a later step of the environment updates the started deploy")

	require.NoError(t, gh.Publish(result("succeeded")))
	assert.Equal(t, "succeeded", parseFileCommand(t, files.output)["status"], "the later line wins")
	assert.Equal(t, map[string]string{"ROLLBAR_DEPLOY_ID": "", "ROLLBAR_DEPLOY_ENVIRONMENT": ""}, parseFileCommand(t, files.env), "a final status clears the id")

	summary, err := os.ReadFile(files.summary)
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(summary), "### Rollbar deploy"), "one table for the deploy")
	assert.Contains(t, string(summary), "| Status | succeeded |")
	assert.Contains(t, string(summary), "| Revision | [0a1b2c3](https://github.com/acme/shop/commit/0a1b2c3d4e5f60718293a4b5c6d7e8f901234567) |")
	assert.Contains(t, string(summary), "| Deploy | [45306460](https://rollbar.com/deploy/45306460/) |")
}

func TestGitHubPublishUsesAFreshDelimiter(t *testing.T) {
	t.Parallel()
	files, getenv := newGitHubFiles(t)
	require.NoError(t, GitHub{Getenv: getenv}.Publish(result("started")))
	require.NoError(t, GitHub{Getenv: getenv}.Publish(result("started")))
	data, err := os.ReadFile(files.env)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	require.Len(t, lines, 12)
	assert.True(t, strings.HasPrefix(lines[0], "ROLLBAR_DEPLOY_ID<<ghadelimiter_"), lines[0])
	assert.NotEqual(t, lines[0], lines[6], "a value cannot guess the delimiter")
	assert.NotContains(t, string(data), "_GitHubActionsFileCommandDelimeter_")
}

func TestGitHubPublishSkipsFilesTheRunnerDidNotName(t *testing.T) {
	t.Parallel()
	require.NoError(t, GitHub{Getenv: func(string) string { return "" }}.Publish(result("succeeded")))

	dir := t.TempDir()
	only := filepath.Join(dir, "output")
	require.NoError(t, GitHub{Getenv: func(k string) string {
		if k == "GITHUB_OUTPUT" {
			return only
		}
		return ""
	}}.Publish(result("succeeded")))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
}

func TestGitHubPublishReportsAFileItCannotWrite(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "no-such-dir", "output")
	err := GitHub{Getenv: func(k string) string {
		if k == "GITHUB_OUTPUT" {
			return missing
		}
		return ""
	}}.Publish(result("succeeded"))
	require.Error(t, err, "an error, not a panic")
	assert.Contains(t, err.Error(), "GITHUB_OUTPUT")
}

func TestGitHubPublishRefusesUnsafeValues(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*Result)
		key  string
	}{
		{"status with a newline", func(r *Result) { r.Status = "succeeded\nINJECTED=1" }, "status"},
		{"status with a carriage return", func(r *Result) { r.Status = "succeeded\rINJECTED=1" }, "status"},
		{"URL with a newline", func(r *Result) { r.URL = "https://rollbar.com/deploy/1/\nINJECTED<<EOF" }, "deploy_url"},
		{"URL with a NUL", func(r *Result) { r.URL = "https://rollbar.com/\x00" }, "deploy_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files, getenv := newGitHubFiles(t)
			r := result("succeeded")
			tt.edit(&r)
			err := GitHub{Getenv: getenv}.Publish(r)
			var unsafe *UnsafeValueError
			require.ErrorAs(t, err, &unsafe)
			assert.Equal(t, tt.key, unsafe.Key)
			assert.Equal(t, "GITHUB_OUTPUT", unsafe.File)
			_, statErr := os.Stat(files.output)
			assert.True(t, errors.Is(statErr, os.ErrNotExist), "nothing written, not even the safe outputs")
		})
	}
}

func TestSummaryEscapes(t *testing.T) {
	t.Parallel()
	r := Result{
		DeployID: 7, URL: "https://rollbar.com/deploy/7/", Status: "succeeded",
		Environment: "prod | <script>alert(1)</script>\n| Injected | row |",
		Revision:    "v1.2.3`rm`",
		RevisionURL: "https://example.com/commit/x)|[y](javascript:alert(1)\n| row |",
		User:        "[click](https://evil.example) *bold* _em_",
	}
	s := Summary(r)
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	require.Len(t, lines, 9, "a heading, a blank line, the table head and five rows: nothing added\n%s", s)
	for _, line := range lines[2:] {
		assert.Equal(t, 3, strings.Count(line, "|")-strings.Count(line, `\|`), "three unescaped pipes: two cells in %q", line)
	}
	assert.NotContains(t, s, "<script>")
	assert.Contains(t, s, "&lt;script&gt;")
	assert.Contains(t, s, `prod \| &lt;script&gt;`)
	assert.NotContains(t, s, "[click]")
	assert.Contains(t, s, `\[click\]`)
	assert.Contains(t, s, "\\`rm\\`")
	assert.Contains(t, s, "(https://example.com/commit/x%29%7C[y]%28javascript:alert%281%29%0A%7C%20row%20%7C)")
}

func TestSummaryLinksOnlyWebURLs(t *testing.T) {
	t.Parallel()
	r := result("succeeded")
	r.RevisionURL = "javascript:alert(1)"
	s := Summary(r)
	assert.Contains(t, s, "| Revision | 0a1b2c3 |")
	assert.NotContains(t, s, "javascript")

	r.Revision = "not-a-sha"
	r.RevisionURL = ""
	assert.Contains(t, Summary(r), "| Revision | not-a-sha |", "only a full SHA is shortened")
}

// TestMarkStart: a failed start of an environment is marked for the job's
// later steps (each environment apart, any name), and the final record of it
// takes the mark away.
func TestMarkStart(t *testing.T) {
	t.Parallel()
	_, getenv := newGitHubFiles(t)
	step := func() GitHub { // a run that sees what the earlier ones wrote
		return GitHub{Getenv: GitHub{Getenv: getenv}.StepEnv(os.ReadFile)}
	}
	started := func(env string) bool {
		in, err := Receive(step().Getenv, env, Workspace{})
		require.NoError(t, err)
		return in.Started
	}
	require.NoError(t, step().MarkStart("eu prod&x=1", true))
	require.NoError(t, step().MarkStart("staging", true))
	assert.True(t, started("eu prod&x=1"))
	assert.True(t, started("staging"))
	assert.False(t, started("production"))
	assert.False(t, started(""))
	require.NoError(t, step().MarkStart("staging", false))
	assert.False(t, started("staging"))
	assert.True(t, started("eu prod&x=1"))
}
