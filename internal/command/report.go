package command

import (
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/sethvargo/go-githubactions"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/text"
)

// reporter is where a run speaks: the result on stdout, everything else on
// stderr. In GitHub Actions the workflow commands go to stderr too: the
// runner reads commands on both streams, and stdout stays the result alone,
// so id=$(rollbar-deploy …) captures just the id. Every byte passes a filter
// that hides the tokens.
type reporter struct {
	stdout, stderr io.Writer
	action         *githubactions.Action // nil outside GitHub Actions
	verbose        bool
}

// newReporter speaks workflow commands where the CI's runner reads them
// (ci.Info.WorkflowCommands): anywhere else ::add-mask:: would print the token.
func (c *CLI) newReporter(flags map[config.Name]string, workflowCommands bool) *reporter {
	secrets := config.Secrets(flags, c.Getenv)
	r := &reporter{stdout: redact(c.Stdout, secrets), stderr: redact(c.Stderr, secrets)}
	if workflowCommands {
		// The mask must reach the runner before anything that could show a
		// token, so it is written unfiltered, first. Outside Actions the same
		// line would print the token.
		raw := githubactions.New(githubactions.WithWriter(lenient{c.Stderr}), githubactions.WithGetenv(c.Getenv))
		for _, s := range secrets {
			raw.AddMask(s)
		}
		r.action = githubactions.New(githubactions.WithWriter(lenient{r.stderr}), githubactions.WithGetenv(c.Getenv))
	}
	return r
}

func (r *reporter) Errorf(format string, args ...any) {
	if r.action != nil {
		r.action.Errorf(format, values(args)...)
		return
	}
	r.lines("rollbar-deploy: error: ", format, args)
}

func (r *reporter) Warnf(format string, args ...any) {
	if r.action != nil {
		r.action.Warningf(format, values(args)...)
		return
	}
	r.lines("rollbar-deploy: warning: ", format, args)
}

// Noticef is a line worth a user's eye: an annotation in Actions.
func (r *reporter) Noticef(format string, args ...any) {
	if r.action != nil {
		r.action.Noticef(format, values(args)...)
		return
	}
	r.Infof(format, args...)
}

func (r *reporter) Infof(format string, args ...any) {
	r.lines("rollbar-deploy: ", format, args)
}

// Debugf is heard only with --verbose.
func (r *reporter) Debugf(format string, args ...any) {
	if r.verbose {
		r.Infof(format, args...)
	}
}

// lines writes a message with prefix at the start of each of its lines, so
// that no line of it can start with a workflow command, whatever an error
// wrapped (go-githubactions escapes the line breaks of an annotation).
func (r *reporter) lines(prefix, format string, args []any) {
	msg := fmt.Sprintf(format, values(args)...)
	var b strings.Builder
	for _, line := range strings.FieldsFunc(msg, func(c rune) bool { return c == '\n' || c == '\r' }) {
		b.WriteString(prefix + line + "\n")
		prefix = "rollbar-deploy:   "
	}
	_, _ = io.WriteString(r.stderr, b.String())
}

// values makes every value a log line is given a single line with its control
// characters escaped (text.OneLine): a revision, an environment, a file name
// or an item's title is data, never a line of the tool's. An error keeps its
// line breaks, which part the errors it joins; lines prefixes each line.
func values(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case error:
			out[i] = a
		case fmt.Stringer:
			out[i] = text.OneLine(v.String())
		default:
			// Any string, the config's own string types (a revision, an
			// environment) included.
			if rv := reflect.ValueOf(a); rv.Kind() == reflect.String {
				out[i] = text.OneLine(rv.String())
			} else {
				out[i] = a
			}
		}
	}
	return out
}

// lenient drops write errors: go-githubactions panics on them, and a closed
// stdout must not crash a deploy.
type lenient struct{ w io.Writer }

func (l lenient) Write(p []byte) (int, error) {
	_, _ = l.w.Write(p)
	return len(p), nil
}

// redactor replaces every token with *** in what passes through, and any
// part of one long enough to narrow it down (a proxy's page quoting the
// header cut short). The code never prints a token; this makes sure a server
// echoing one back cannot either. Callers write whole lines, so a token is
// never split across writes.
type redactor struct {
	w        io.Writer
	replacer *strings.Replacer
}

// tokenPart is the shortest part of a token the redactor hides: a shorter
// run says little of the rest, and no 8-character run of an ordinary value
// (a revision, a date) is likely to be one of a 32-character token's.
const tokenPart = 8

func redact(w io.Writer, secrets []string) io.Writer {
	if len(secrets) == 0 {
		return w
	}
	var parts []string
	for _, s := range secrets {
		parts = append(parts, s)
		for n := tokenPart; len(s) >= 2*tokenPart && n < len(s); n++ {
			for i := 0; i+n <= len(s); i++ {
				parts = append(parts, s[i:i+n])
			}
		}
	}
	// At one position the replacer takes the first pattern that matches:
	// the longest first, so that a run of a token is hidden whole.
	slices.SortStableFunc(parts, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(parts))
	for _, p := range parts {
		pairs = append(pairs, p, "***")
	}
	return &redactor{w: w, replacer: strings.NewReplacer(pairs...)}
}

func (r *redactor) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, r.replacer.Replace(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
