package pipeline

import (
	"fmt"
	"html"
	"strconv"
	"strings"

	"github.com/sethvargo/go-githubactions"
)

// GitHub publishes a result to a GitHub Actions step.
type GitHub struct {
	Action *githubactions.Action
	Getenv func(string) string
}

// Publish sets the outputs deploy_id, deploy_url and status; keeps the id of
// a started deploy in ROLLBAR_DEPLOY_ID for the job's later steps, and clears
// it after a final status; and adds a step summary.
//
// go-githubactions panics when a file variable is unset and writes values
// in a heredoc with a fixed delimiter, so each file is checked for, and each
// value for line breaks, before it is called.
func (g GitHub) Publish(r Result) error {
	outputs := [][2]string{{"deploy_id", strconv.FormatInt(r.DeployID, 10)}, {"deploy_url", r.URL}, {"status", r.Status}}
	if g.Getenv("GITHUB_OUTPUT") != "" {
		for _, kv := range outputs {
			if err := checkLine("GITHUB_OUTPUT", kv[0], kv[1]); err != nil {
				return err
			}
		}
		for _, kv := range outputs {
			g.Action.SetOutput(kv[0], kv[1])
		}
	}
	if g.Getenv("GITHUB_ENV") != "" {
		id := ""
		if r.Status == "started" {
			id = strconv.FormatInt(r.DeployID, 10)
		}
		g.Action.SetEnv("ROLLBAR_DEPLOY_ID", id)
	}
	if g.Getenv("GITHUB_STEP_SUMMARY") != "" {
		g.Action.AddStepSummary(Summary(r))
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
		{"User", md(r.User)},
		{"Status", md(r.Status)},
		{"Deploy", link(strconv.FormatInt(r.DeployID, 10), r.URL)},
	}
	var b strings.Builder
	b.WriteString("### Rollbar deploy\n\n| | |\n|---|---|\n")
	for _, row := range rows {
		fmt.Fprintf(&b, "| %s | %s |\n", row[0], row[1])
	}
	return b.String()
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "|", `\|`, "[", `\[`, "]", `\]`, "`", "\\`", "*", `\*`, "_", `\_`,
	"\r", " ", "\n", " ",
)

// md makes text safe inside a table cell: no Markdown, no HTML, one line.
func md(s string) string { return mdEscaper.Replace(html.EscapeString(s)) }

func link(text, url string) string {
	return "[" + text + "](" + strings.NewReplacer("(", "%28", ")", "%29", " ", "%20").Replace(url) + ")"
}

func short(sha string) string {
	if len(sha) == 40 && strings.Trim(sha, "0123456789abcdef") == "" {
		return sha[:7]
	}
	return sha
}
