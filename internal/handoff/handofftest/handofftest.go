// Package handofftest reads the files the hand-off writes the way the CIs
// read them, for tests: GitHub Actions file commands (GITHUB_OUTPUT,
// GITHUB_ENV), GitLab dotenv reports and the Markdown step summary.
//
// Each reader returns an error for anything the CI would refuse, so that a
// test fails on a file a CI could not use, not only on a wrong value. It must
// not import internal/handoff: the hand-off's own tests import it. The file
// commands' format is internal/filecmd's, which the hand-off reads too.
package handofftest

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/rollbar-deploy/rollbar-deploy/internal/filecmd"
)

// ReadFile reads what a run wrote at path with one of the parsers below,
// failing t on either error.
func ReadFile[T any](t testing.TB, path string, parse func([]byte) (T, error)) T {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := parse(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// ParseFileCommands reads a GITHUB_OUTPUT or GITHUB_ENV file as the runner
// does; a name set again takes the later value, as steps appending to the
// same file rely on.
func ParseFileCommands(data []byte) (map[string]string, error) {
	return fileCommandMap(data, false)
}

// ParseFileCommandsOnce is ParseFileCommands for a file one step wrote: a
// name set twice is an error, as only an injected line could set it again.
func ParseFileCommandsOnce(data []byte) (map[string]string, error) {
	return fileCommandMap(data, true)
}

func fileCommandMap(data []byte, once bool) (map[string]string, error) {
	cmds, err := filecmd.Parse(data)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, c := range cmds {
		if _, dup := out[c.Name]; dup && once {
			return nil, fmt.Errorf("%s set twice in %q", c.Name, data)
		}
		out[c.Name] = c.Value
	}
	return out, nil
}

var dotenvKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// ParseDotenv reads a GitLab dotenv report (artifacts: reports: dotenv):
// KEY=VALUE lines, a key of letters, digits and underscores not starting
// with a digit, and no quoting, so no spaces in values. The pipeline
// replaces the whole file, so a key set twice can only be injected: it is
// an error, though GitLab would take the last.
func ParseDotenv(data []byte) (map[string]string, error) {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		k, v, ok := strings.Cut(line, "=")
		switch {
		case !ok:
			return nil, fmt.Errorf("line %q is not KEY=VALUE", line)
		case !dotenvKey.MatchString(k):
			return nil, fmt.Errorf("invalid key %q", k)
		case strings.Contains(v, " "):
			return nil, fmt.Errorf("GitLab refuses spaces in values: %q", line)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("%s set twice in %q", k, data)
		}
		out[k] = v
	}
	return out, nil
}

// TableCells splits a GitHub Markdown table row at its unescaped pipes and
// returns the trimmed cells, escapes kept. It returns nil for a line that is
// not a row "| ... |", including one whose last pipe is escaped (text after
// the last pipe).
func TableCells(line string) []string {
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

// summaryHead is how the step summary starts: a heading, a blank line and
// the head of a two-column table.
var summaryHead = []string{"### Rollbar deploy", "", "| | |", "|---|---|"}

// SummaryRows checks a step summary is one heading and one two-column table,
// as GitHub renders it, and returns the first cell of each row. CommonMark
// ends a line at \n, \r\n or \r, so each of them counts.
func SummaryRows(data []byte) ([]string, error) {
	summary := string(data)
	if !strings.HasSuffix(summary, "|\n") {
		return nil, fmt.Errorf("does not end with the table: %q", summary)
	}
	body := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(strings.TrimSuffix(summary, "\n"))
	lines := strings.Split(body, "\n")
	if len(lines) < len(summaryHead) || strings.Join(lines[:len(summaryHead)], "\n") != strings.Join(summaryHead, "\n") {
		return nil, fmt.Errorf("does not start with %q: %q", summaryHead, summary)
	}
	var rows []string
	for _, line := range lines[len(summaryHead):] {
		cells := TableCells(line)
		if len(cells) != 2 {
			return nil, fmt.Errorf("not two cells in %q", line)
		}
		rows = append(rows, cells[0])
	}
	return rows, nil
}
