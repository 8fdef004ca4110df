package watch

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rollbar-deploy/rollbar-deploy/internal/text"
)

// NoDataWarning says why Rollbar may not know a revision: it finds a version
// by the code_version the SDK reports, cut to 40 characters (version, the
// one watched).
func NoDataWarning(revision, version string) string {
	msg := fmt.Sprintf("Rollbar has no occurrence of code version %q in this environment: the application's "+
		"Rollbar SDK must report the deployed revision as its code_version, and Rollbar keeps at most 40 "+
		"characters of it", version)
	if version != revision {
		msg += fmt.Sprintf("; this revision has %d, %q", utf8.RuneCountInString(revision), revision)
	}
	return msg
}

// verdict is the report in one sentence.
func (r Report) verdict() string {
	if r.Requests() == 0 && r.Err != nil { // it never began
		return fmt.Sprintf("%s: %v", r.Result, r.Err)
	}
	s := fmt.Sprintf("%s after %s: %d new (%d allowed) and %d reactivated (%d allowed) items at %s",
		r.Result, r.Elapsed.Round(time.Second), r.New, r.Gate.MaxNew, r.Reactivated, r.Gate.MaxReactivated,
		strings.Join(r.Gate.Levels, ", "))
	since := r.Gate.Since.UTC().Format(time.DateTime + " MST")
	switch {
	case r.Gate.Deploy != 0:
		s += fmt.Sprintf(" since deploy %d started (%s)", r.Gate.Deploy, since)
	case !r.Gate.Since.IsZero():
		s += fmt.Sprintf(" since %s (no deploy known)", since)
	}
	if r.Older > 0 {
		s += fmt.Sprintf(", %d older %s left out (no occurrence since)", r.Older, plural(r.Older, "item", "items"))
	}
	s += fmt.Sprintf(", %d requests", r.Requests())
	if r.Interrupted {
		s += ", interrupted"
	}
	if r.Err != nil {
		s += ": " + r.Err.Error()
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// more is how many of this deploy's items the report does not list: past
// maxListed, or counted and not listed yet.
func (r Report) more() int { return max(0, r.New+r.Reactivated-len(r.Items)) }

// moreLine says how many items the report does not list, and why.
func (r Report) moreLine() string {
	s := fmt.Sprintf("and %d more", r.more())
	if r.Unlisted > 0 {
		s += fmt.Sprintf(" (%d counted by Rollbar, not in its item list yet)", r.Unlisted)
	}
	return s
}

// Text writes the report for a person reading the log: the verdict, then a
// line per offending item. Item titles are the application's error
// messages, so each is kept to one line: a line of its own in a CI log
// could pass for the tool's, or for a workflow command.
func (r Report) Text(w io.Writer) {
	fmt.Fprintf(w, "watch %s\n", text.OneLine(r.verdict()))
	for _, it := range r.Items {
		fmt.Fprintf(w, "  #%d %s %s, %d occurrences: %s",
			it.Counter, text.OneLine(it.Level), it.Event, it.OccurrencesInVersion, text.OneLine(it.Title))
		fmt.Fprintln(w)
	}
	if r.more() > 0 {
		fmt.Fprintf(w, "  %s\n", r.moreLine())
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
		Older          int     `json:"older_items"`
		OlderItems     []Item  `json:"older"`
		DeployID       int64   `json:"deploy_id,omitempty"`
		Since          int64   `json:"since_timestamp,omitempty"`
		Requests       int     `json:"requests"`
		ElapsedSeconds float64 `json:"elapsed_seconds"`
		Interrupted    bool    `json:"interrupted"`
		Error          string  `json:"error,omitempty"`
	}{Result: r.Result, New: r.New, Reactivated: r.Reactivated, Items: r.Items, More: r.more(), Older: r.Older,
		OlderItems: r.OlderItems, DeployID: r.Gate.Deploy, Requests: r.Requests(), ElapsedSeconds: r.Elapsed.Seconds(),
		Interrupted: r.Interrupted}
	if !r.Gate.Since.IsZero() {
		doc.Since = r.Gate.Since.Unix()
	}
	for _, list := range []*[]Item{&doc.Items, &doc.OlderItems} {
		if *list == nil {
			*list = []Item{} // [] in JSON, never null
		}
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
		fmt.Fprintf(w, "| #%d | %s | %s | %d | %s |\n",
			it.Counter, mdText(it.Level), it.Event, it.OccurrencesInVersion, mdText(it.Title))
	}
	if r.more() > 0 {
		fmt.Fprintf(w, "\n%s\n", mdText(r.moreLine()))
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
