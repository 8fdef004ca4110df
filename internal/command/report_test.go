package command

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// FuzzReporter proves that no value given to a log line, an annotation or a
// notice (a revision, a file name, an error that wraps one) can start a line
// of its own: each call writes one line in GitHub Actions, and outside it
// every line starts with the tool's name, so none starts a workflow command.
func FuzzReporter(f *testing.F) {
	for _, s := range []string{"abc\n::error title=x::forged", "a\r::warning::b", "x\u2028::notice::y", "%0A::error::", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, actions := range []bool{true, false} {
			var stderr bytes.Buffer
			cli := &CLI{Stdout: &bytes.Buffer{}, Stderr: &stderr, Getenv: func(string) string { return "" }}
			out := cli.newReporter(nil, actions)
			out.Infof("value %s", s)
			out.Warnf("value %s", s)
			out.Errorf("value %s", s)
			out.Noticef("value %v", s)
			out.Errorf("%v", errors.New(s))
			out.Infof("typed %s", named(s))
			got := strings.FieldsFunc(stderr.String(), func(c rune) bool { return c == '\n' || c == '\r' })
			for _, line := range got {
				if strings.HasPrefix(strings.TrimSpace(line), "::") && !ownCommand(line) {
					t.Fatalf("a value started the line %q", line)
				}
				if !ownCommand(line) && !strings.HasPrefix(line, "rollbar-deploy:") {
					t.Fatalf("a line not of the tool: %q", line)
				}
			}
			if actions && len(got) != 6 {
				t.Fatalf("%d lines for 6 calls: %q", len(got), stderr.String())
			}
		}
	})
}

// named is a string type of its own, as the config's revision is.
type named string

func ownCommand(line string) bool {
	for _, cmd := range []string{"::error::value ", "::warning::value ", "::notice::value ", "::error::"} {
		if strings.HasPrefix(line, cmd) {
			return true
		}
	}
	return false
}

// TestRedact: a token shows as ***, whole or in part, wherever it is in what
// is written; a value that shares a few characters with it is left alone.
func TestRedact(t *testing.T) {
	t.Parallel()
	const token = "0123456789abcdef0123456789abcdef"
	tests := []struct{ in, want string }{
		{"invalid access token " + token, "invalid access token ***"},
		{"X-Rollbar-Access-Token: " + token[:16] + "... rejected", "X-Rollbar-Access-Token: ***... rejected"},
		{"the last part: …" + token[20:], "the last part: …***"},
		{"revision 01234567ff, deploy 4530646", "revision ***ff, deploy 4530646"},
		{"revision 0123456ff: 7 characters are no clue", "revision 0123456ff: 7 characters are no clue"},
	}
	for _, tt := range tests {
		var out bytes.Buffer
		_, err := redact(&out, []string{token}).Write([]byte(tt.in))
		if err != nil || out.String() != tt.want {
			t.Errorf("redact(%q) = %q, %v; want %q", tt.in, out.String(), err, tt.want)
		}
	}
}
