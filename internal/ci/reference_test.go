package ci

import (
	"flag"
	"strings"
	"testing"

	"github.com/rollbar-deploy/rollbar-deploy/internal/reference"
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
	file, want := reference.Splice(t, ciPage, tableStart, tableEnd, providerTable())
	reference.Check(t, ciPage, file, want, *update, "go generate ./internal/ci")
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
