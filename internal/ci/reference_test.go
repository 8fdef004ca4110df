package ci

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

//go:generate go test -run ^TestReferenceFollowsProviders$ -update .

var update = flag.Bool("update", false, "rewrite docs/ci.md's table from the providers")

const (
	ciPage     = "../../docs/ci.md"
	tableStart = "<!-- CI table: made from internal/ci by go generate ./internal/ci -->\n"
	tableEnd   = "<!-- end of the CI table -->\n"
)

// The reference's table of what each CI tells is made from the providers:
// one changed without it fails here, and `go generate ./internal/ci` (or
// this test with -update) writes it again.
func TestReferenceFollowsProviders(t *testing.T) {
	page, err := os.ReadFile(ciPage)
	require.NoError(t, err)
	before, rest, found := strings.Cut(string(page), tableStart)
	require.True(t, found, "%s has no line %q", ciPage, tableStart)
	_, after, found := strings.Cut(rest, tableEnd)
	require.True(t, found, "%s has no line %q", ciPage, tableEnd)
	want := before + tableStart + providerTable() + tableEnd + after
	if *update {
		require.NoError(t, os.WriteFile(ciPage, []byte(want), 0o644))
		return
	}
	wantLines, gotLines := strings.Split(want, "\n"), strings.Split(string(page), "\n")
	for i := range max(len(wantLines), len(gotLines)) {
		if i >= len(wantLines) || i >= len(gotLines) || wantLines[i] != gotLines[i] {
			t.Fatalf("%s:%d is not what the providers make: run go generate ./internal/ci\nmade: %s\nfile: %s",
				ciPage, i+1, line(wantLines, i), line(gotLines, i))
		}
	}
}

func line(lines []string, i int) string {
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// providerTable is one row a provider, in the order they are detected.
func providerTable() string {
	var b strings.Builder
	b.WriteString("| CI (`ROLLBAR_CI`) | Revision | User | Comment | Environment | Outcome |\n" +
		"|---|---|---|---|---|---|\n")
	for _, p := range providers {
		cells := []string{p.name + " (`" + p.id + "`)"}
		for _, sources := range [][]string{p.revision, p.localUsername, p.comment, p.environment, p.status} {
			cells = append(cells, sourceList(p, sources))
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	return b.String()
}

// sourceList says where a value is read, first to last: a variable, a
// field of the event payload, or a template of variables.
func sourceList(p provider, sources []string) string {
	if len(sources) == 0 {
		return "–"
	}
	shown := make([]string, len(sources))
	for i, s := range sources {
		if field, ok := strings.CutPrefix(s, p.payload+" "); ok && p.payload != "" {
			shown[i] = "event `" + field + "`"
		} else {
			shown[i] = "`" + s + "`"
		}
	}
	return strings.Join(shown, ", ")
}
