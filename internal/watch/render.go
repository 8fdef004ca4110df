package watch

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/rollbar-deploy/rollbar-deploy/internal/text"
)

// NoDataWarning says why Rollbar may not know a revision: it finds a version
// by the code_version the SDK reports, cut to 40 characters.
func NoDataWarning(revision string) string {
	msg := fmt.Sprintf("Rollbar has no occurrence of code version %q in this environment: the application's Rollbar SDK must report the deployed revision as its code_version, and Rollbar keeps at most 40 characters of it", revision)
	if n := len(revision); n > 40 {
		msg += fmt.Sprintf("; this revision has %d", n)
	}
	return msg
}

// verdict is the report in one sentence.
func (r Report) verdict() string {
	s := fmt.Sprintf("%s after %s: %d new (%d allowed) and %d reactivated (%d allowed) items at %s, %d requests",
		r.Result, r.Elapsed.Round(time.Second), r.New, r.Gate.MaxNew, r.Reactivated, r.Gate.MaxReactivated,
		strings.Join(r.Gate.Levels, ", "), r.Requests())
	if r.Interrupted {
		s += ", interrupted"
	}
	if r.Err != nil {
		s += ": " + r.Err.Error()
	}
	return s
}

// more is how many offending items the report does not list.
func (r Report) more() int {
	if r.Result != Failed {
		return 0
	}
	return max(0, r.New+r.Reactivated-len(r.Items))
}

// Text writes the report for a person reading the log: the verdict, then a
// line per offending item. Item titles are the application's error
// messages, so each is kept to one line: a line of its own in a CI log
// could pass for the tool's, or for a workflow command.
func (r Report) Text(w io.Writer) {
	fmt.Fprintf(w, "watch %s\n", text.OneLine(r.verdict()))
	for _, it := range r.Items {
		fmt.Fprintf(w, "  #%d %s %s, %d occurrences: %s", it.Counter, text.OneLine(it.Level), it.Event, it.OccurrencesInVersion, text.OneLine(it.Title))
		fmt.Fprintln(w)
	}
	if n := r.more(); n > 0 {
		fmt.Fprintf(w, "  and %d more\n", n)
	}
}

// MarshalJSON is the report for --json.
func (r Report) MarshalJSON() ([]byte, error) {
	doc := struct {
		Result         Result  `json:"result"`
		New            int     `json:"new_items"`
		Reactivated    int     `json:"reactivated_items"`
		Items          []Item  `json:"items"`
		More           int     `json:"more_items"`
		Requests       int     `json:"requests"`
		ElapsedSeconds float64 `json:"elapsed_seconds"`
		Interrupted    bool    `json:"interrupted"`
		Error          string  `json:"error,omitempty"`
	}{r.Result, r.New, r.Reactivated, r.Items, r.more(), r.Requests(), r.Elapsed.Seconds(), r.Interrupted, ""}
	if doc.Items == nil {
		doc.Items = []Item{}
	}
	if r.Err != nil {
		doc.Error = r.Err.Error()
	}
	return json.Marshal(doc)
}

// Markdown writes the report for a GitHub step summary: a heading with the
// verdict, then a table of the offending items. Everything from Rollbar is
// escaped: a title is whatever an error message said.
func (r Report) Markdown(w io.Writer) {
	fmt.Fprintf(w, "### Rollbar watch: %s\n\n%s\n", r.Result, mdText(r.verdict()))
	if len(r.Items) > 0 {
		fmt.Fprint(w, "\n| Item | Level | Event | Occurrences | Title |\n|---|---|---|---|---|\n")
	}
	for _, it := range r.Items {
		fmt.Fprintf(w, "| #%d | %s | %s | %d | %s |\n", it.Counter, mdText(it.Level), it.Event, it.OccurrencesInVersion, mdText(it.Title))
	}
	if n := r.more(); n > 0 {
		fmt.Fprintf(w, "\nand %d more\n", n)
	}
}

// mdText makes text literal in Markdown, on one line: CommonMark takes any
// ASCII punctuation after a backslash as itself, which leaves no markup, no
// HTML tag or entity and no table pipe.
func mdText(s string) string {
	var b strings.Builder
	for _, c := range text.OneLine(s) {
		if c < unicode.MaxASCII && (unicode.IsPunct(c) || unicode.IsSymbol(c)) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
