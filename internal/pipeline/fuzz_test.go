package pipeline_test

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/pipeline"
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

// FuzzWriteDotenv: a dotenv report has exactly ROLLBAR_DEPLOY_ID and
// ROLLBAR_DEPLOY_URL, or is not written.
func FuzzWriteDotenv(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, id int64, url, status, environment, revision, revisionURL, user string) {
		path := filepath.Join(t.TempDir(), "deploy.env")
		r := pipeline.Result{DeployID: id, URL: url, Status: status, Environment: environment, Revision: revision, RevisionURL: revisionURL, User: user}
		if err := pipeline.WriteDotenv(path, r); err != nil {
			var unsafe *pipeline.UnsafeValueError
			require.True(t, errors.As(err, &unsafe), "refused as unsafe: %v", err)
			assert.NoFileExists(t, path, "nothing written")
			return
		}
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		got := map[string]string{}
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			k, v, ok := strings.Cut(line, "=")
			require.True(t, ok, "KEY=VALUE: %q", line)
			_, dup := got[k]
			require.False(t, dup, "%s twice", k)
			got[k] = v
		}
		assert.Equal(t, map[string]string{"ROLLBAR_DEPLOY_ID": strconv.FormatInt(id, 10), "ROLLBAR_DEPLOY_URL": url}, got)
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
		r := pipeline.Result{DeployID: id, URL: url, Status: status, Environment: environment, Revision: revision, RevisionURL: revisionURL, User: user}
		err := pipeline.GitHub{Getenv: func(k string) string { return files[k] }}.Publish(r)
		if err != nil {
			var unsafe *pipeline.UnsafeValueError
			require.True(t, errors.As(err, &unsafe), "refused as unsafe: %v", err)
			data, _ := os.ReadFile(files["GITHUB_OUTPUT"])
			assert.Empty(t, data, "no outputs half set")
			return
		}
		id10 := strconv.FormatInt(id, 10)
		assert.Equal(t, map[string]string{"deploy_id": id10, "deploy_url": url, "status": status}, fuzzFileCommands(t, files["GITHUB_OUTPUT"]))
		wantEnv := ""
		if status == "started" {
			wantEnv = id10
		}
		assert.Equal(t, map[string]string{"ROLLBAR_DEPLOY_ID": wantEnv}, fuzzFileCommands(t, files["GITHUB_ENV"]))

		summary, err := os.ReadFile(files["GITHUB_STEP_SUMMARY"])
		require.NoError(t, err)
		assert.Equal(t, []string{"Environment", "Revision", "User", "Status", "Deploy"}, fuzzSummaryRows(t, string(summary)))
		assert.Equal(t, pipeline.Summary(r), string(summary))
	})
}

// FuzzSummary: the step summary is one heading and a table of five rows of
// two cells, whatever the values; none can add a row, a cell or a line.
func FuzzSummary(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, id int64, url, status, environment, revision, revisionURL, user string) {
		s := pipeline.Summary(pipeline.Result{DeployID: id, URL: url, Status: status, Environment: environment, Revision: revision, RevisionURL: revisionURL, User: user})
		assert.Equal(t, []string{"Environment", "Revision", "User", "Status", "Deploy"}, fuzzSummaryRows(t, s))
		assert.NotContains(t, s, "<", "no raw HTML")
	})
}

// fuzzFileCommands parses a GitHub file-command file as the runner does.
func fuzzFileCommands(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		name, delim, heredoc := strings.Cut(line, "<<")
		if !heredoc || strings.Contains(name, "=") {
			k, v, ok := strings.Cut(line, "=")
			require.True(t, ok, "not a file command: %q", line)
			out[k] = v
			continue
		}
		var value []string
		for closed := false; !closed; {
			require.True(t, sc.Scan(), "no closing %q for %s in %q", delim, name, data)
			if closed = sc.Text() == delim; !closed {
				value = append(value, sc.Text())
			}
		}
		_, dup := out[name]
		require.False(t, dup, "%s set twice in %q", name, data)
		out[name] = strings.Join(value, "\n")
	}
	require.NoError(t, sc.Err())
	return out
}

// fuzzSummaryRows checks the summary's shape and returns each row's first cell.
func fuzzSummaryRows(t *testing.T, s string) []string {
	t.Helper()
	require.True(t, strings.HasSuffix(s, "|\n"), "ends with the table: %q", s)
	// CommonMark ends a line at \n, \r\n or \r.
	lines := strings.FieldsFunc(strings.TrimSuffix(s, "\n"), func(r rune) bool { return r == '\n' || r == '\r' })
	require.GreaterOrEqual(t, len(lines), 3, "%q", s)
	require.Equal(t, []string{"### Rollbar deploy", "| | |", "|---|---|"}, lines[:3], "%q", s)
	var rows []string
	for _, line := range lines[3:] {
		cells := fuzzCells(line)
		require.Len(t, cells, 2, "two cells in %q", line)
		rows = append(rows, cells[0])
	}
	return rows
}

// fuzzCells splits a GitHub Markdown table row at its unescaped pipes.
func fuzzCells(line string) []string {
	if !strings.HasPrefix(line, "| ") || !strings.HasSuffix(line, " |") {
		return nil
	}
	var cells []string
	var cell strings.Builder
	for i := 1; i < len(line); i++ {
		switch c := line[i]; {
		case c == '\\' && i+1 < len(line):
			cell.WriteByte(c)
			cell.WriteByte(line[i+1])
			i++
		case c == '|':
			cells = append(cells, strings.TrimSpace(cell.String()))
			cell.Reset()
		default:
			cell.WriteByte(c)
		}
	}
	if cell.Len() > 0 {
		return nil // text after the last pipe
	}
	return cells
}
