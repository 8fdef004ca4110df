package handoff

import (
	"crypto/rand"
	"fmt"
	"html"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/rollbar-deploy/rollbar-deploy/internal/filecmd"
	"github.com/rollbar-deploy/rollbar-deploy/internal/text"
)

// GitHub publishes a result to a GitHub Actions step through its file
// commands (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STEP_SUMMARY).
type GitHub struct {
	Getenv func(string) string
}

// StepEnv is Getenv with the hand-off this step already wrote to GITHUB_ENV
// on top: the runner applies GITHUB_ENV from the next step on, so a second
// call of the tool in one step (a run: script that starts a deploy and then
// finishes it) would not see the deploy the first one handed over.
func (g GitHub) StepEnv(readFile func(string) ([]byte, error)) func(string) string {
	written := map[string]string{}
	if path := g.Getenv("GITHUB_ENV"); path != "" {
		if data, err := readFile(path); err == nil {
			cmds, _ := filecmd.Parse(data) // up to a line the runner would refuse
			for _, c := range cmds {
				if c.Name == DeployIDVar || c.Name == EnvironmentVar || c.Name == PendingVar || c.Name == StartsVar {
					written[c.Name] = c.Value
				}
			}
		}
	}
	return func(key string) string {
		if v, ok := written[key]; ok {
			return v
		}
		return g.Getenv(key)
	}
}

// Publish sets the outputs deploy_id, deploy_url and status (and a watch's
// verdict); hands a started deploy's id and environment to the job's later
// steps in ROLLBAR_DEPLOY_ID and ROLLBAR_DEPLOY_ENVIRONMENT, or clears them
// once it is finished; and, for a final status, adds a step summary. A file
// the runner did not name is skipped.
//
// The files are written here rather than with go-githubactions: it panics
// when a file cannot be written and uses one fixed heredoc delimiter. Each
// value is checked for line breaks first, and the delimiter is random, so no
// value can add a line of its own.
func (g GitHub) Publish(r Result) error {
	outputs := [][2]string{{"deploy_id", strconv.FormatInt(r.DeployID, 10)}, {"deploy_url", r.URL}, {"status", r.Status}}
	if r.Watch != nil {
		outputs = append(outputs, r.Watch.outputs()...)
	}
	var env [][2]string
	if r.Pending != nil {
		env = append(env, [2]string{PendingVar, EncodePending(r.Pending)})
	}
	switch r.Handoff {
	case Save:
		env = append(env, [2]string{DeployIDVar, strconv.FormatInt(r.DeployID, 10)}, [2]string{EnvironmentVar, r.Environment})
	case Clear:
		env = append(env, [2]string{DeployIDVar, ""}, [2]string{EnvironmentVar, ""})
	}
	// Both are encoded, and so checked, before either is written: no outputs
	// are set for a hand-off that cannot be.
	out, err := encode("GITHUB_OUTPUT", outputs)
	if err != nil {
		return err
	}
	envText, err := encode("GITHUB_ENV", env)
	if err != nil {
		return err
	}
	if err := g.appendTo("GITHUB_OUTPUT", out); err != nil {
		return err
	}
	if err := g.appendTo("GITHUB_ENV", envText); err != nil {
		return err
	}
	if r.Status == "started" {
		// The job summary joins its steps': the deploy gets its one table
		// from the step that finishes it, saying its final state.
		return nil
	}
	return g.appendTo("GITHUB_STEP_SUMMARY", Summary(r))
}

// MarkStart tells the job's later steps whether a started record of
// environment failed (StartsVar) and no final record of it ran since: the
// job's final step then finishes only a deploy certainly the job's.
// Getenv must see what this step wrote already (StepEnv).
func (g GitHub) MarkStart(environment string, failed bool) error {
	starts, _ := url.ParseQuery(strings.TrimSpace(g.Getenv(StartsVar)))
	if environment == "" || starts.Has(environment) == failed {
		return nil
	}
	if starts.Del(environment); failed {
		starts.Set(environment, "")
	}
	text, err := encode("GITHUB_ENV", [][2]string{{StartsVar, starts.Encode()}})
	if err != nil {
		return err
	}
	return g.appendTo("GITHUB_ENV", text)
}

// PublishWatch sets a watch's outputs and adds its verdict to the step
// summary, for the watch command.
func (g GitHub) PublishWatch(w Watch) error {
	out, err := encode("GITHUB_OUTPUT", w.outputs())
	if err == nil {
		err = g.appendTo("GITHUB_OUTPUT", out)
	}
	if err == nil {
		err = g.appendTo("GITHUB_STEP_SUMMARY", w.Summary)
	}
	return err
}

func (w Watch) outputs() [][2]string {
	return [][2]string{
		{"watch_result", w.Result},
		{"new_items", strconv.Itoa(w.NewItems)},
		{"reactivated_items", strconv.Itoa(w.ReactivatedItems)},
	}
}

// encode writes name/value pairs in the runner's heredoc format, refusing a
// value that could add a line of its own.
func encode(file string, pairs [][2]string) (string, error) {
	delim, err := delimiter()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, kv := range pairs {
		if err := checkLine(file, kv[0], kv[1]); err != nil {
			return "", err
		}
		if strings.Contains(kv[1], delim) {
			return "", &UnsafeValueError{Key: kv[0], File: file}
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", kv[0], delim, kv[1], delim)
	}
	return b.String(), nil
}

// appendTo appends text to the file the runner names in the variable file,
// in one write, so that a failure leaves nothing half set; a file the runner
// did not name is skipped.
func (g GitHub) appendTo(file, text string) error {
	path := g.Getenv(file)
	if path == "" || text == "" {
		return nil
	}
	return appendFile(file, path, text)
}

// delimiter is a heredoc delimiter no value can guess, as actions/toolkit
// makes them.
func delimiter() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return fmt.Sprintf("ghadelimiter_%x", b), nil
}

func appendFile(file, path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return nil
}

// Summary renders the result as a Markdown table.
func Summary(r Result) string {
	revision := md(short(r.Revision))
	if strings.HasPrefix(r.RevisionURL, "https://") || strings.HasPrefix(r.RevisionURL, "http://") {
		revision = link(revision, r.RevisionURL)
	}
	rows := [][2]string{
		{"Environment", md(r.Environment)},
		{"Revision", revision},
		{"Branch", md(r.Branch)},
		{"Repository", md(r.Repository)},
		{"User", md(r.User)},
		{"Status", md(r.Status)},
		{"Deploy", link(strconv.FormatInt(r.DeployID, 10), r.URL)},
	}
	var b strings.Builder
	b.WriteString("### Rollbar deploy\n\n| | |\n|---|---|\n")
	for _, row := range rows {
		if row[1] != "" || row[0] != "Branch" && row[0] != "Repository" {
			fmt.Fprintf(&b, "| %s | %s |\n", row[0], row[1])
		}
	}
	if r.Watch != nil {
		b.WriteString("\n" + r.Watch.Summary)
	}
	return b.String()
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "[", `\[`, "]", `\]`, "`", "\\`", "*", `\*`, "_", `\_`,
)

// md makes text safe inside a table cell: one line (text.OneLine, as every
// value the tool shows), no Markdown, no HTML.
func md(s string) string { return mdEscaper.Replace(html.EscapeString(text.OneLine(s))) }

// link makes a Markdown link whose URL can neither end the link early nor
// break the table row: what could is percent-encoded.
func link(text, url string) string {
	var b strings.Builder
	for _, c := range []byte(url) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>|"\`+"`", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return "[" + text + "](" + b.String() + ")"
}

func short(sha string) string {
	if len(sha) == 40 && strings.Trim(sha, "0123456789abcdef") == "" {
		return sha[:7]
	}
	return sha
}
