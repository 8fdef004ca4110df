package config

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rollbar-deploy/rollbar-deploy/internal/reference"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

//go:generate go test -run ^TestReferenceFollowsTable$ -update .

var update = flag.Bool("update", false, "rewrite docs/settings.md's table and action.yml's input descriptions")

const (
	settingsPage = "../../docs/settings.md"
	actionFile   = "../../action.yml"
	tableStart   = "<!-- settings table: made from internal/config/table.go by go generate ./internal/config -->\n"
	tableEnd     = "<!-- end of the settings table -->\n"
)

// The settings reference and action.yml's input descriptions are made from
// Table: a row changed without them fails here, and `go generate
// ./internal/config` (or this test with -update) writes them again.
func TestReferenceFollowsTable(t *testing.T) {
	const regenerate = "go generate ./internal/config"
	page, wantPage := reference.Splice(t, settingsPage, tableStart, tableEnd, markdownTable())
	reference.Check(t, settingsPage, page, wantPage, *update, regenerate)
	action, err := os.ReadFile(actionFile)
	require.NoError(t, err)
	reference.Check(t, actionFile, string(action), withDescriptions(string(action)), *update, regenerate)
	if *update {
		return
	}

	// What the runner reads is the description made: the rewriting kept
	// action.yml's YAML whole.
	var parsed struct {
		Inputs map[string]struct{ Description string }
	}
	require.NoError(t, yaml.Unmarshal(action, &parsed))
	for _, s := range Table {
		for _, name := range append([]string{string(s.Name)}, s.Aliases...) {
			input, ok := parsed.Inputs[name]
			if !assert.True(t, ok, "action.yml has no input %s: declare it, and give it to the run step as INPUT_%s",
				name, strings.ToUpper(name)) {
				continue
			}
			assert.Equal(t, inputDescription(s, name), input.Description, "action.yml input %s", name)
		}
	}
}

// markdownTable is the reference's table: one row a setting.
func markdownTable() string {
	var b strings.Builder
	b.WriteString("| Input / plugin setting | Flags | Variables | When not set | What it is |\n|---|---|---|---|---|\n")
	for _, s := range Table {
		flags := []string{}
		for _, f := range append([]string{s.Flag()}, s.Flags...) {
			flags = append(flags, dashed(f))
		}
		value := s.Help + ": " + s.Want
		if s.Secret {
			value += "; a secret: never printed"
		}
		names := codes(append([]string{string(s.Name)}, s.Aliases...))
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n",
			names, strings.Join(flags, ", "), codes(s.Vars), fallback(s, "the CI's, where it tells one"), value)
	}
	return b.String()
}

func dashed(flag string) string {
	if len(flag) == 1 {
		return "`-" + flag + "`"
	}
	return "`--" + flag + "`"
}

func codes(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	return strings.Join(quoted, ", ")
}

// fallback says where a value comes from when nothing names it: the CI,
// git, the default.
func fallback(s Setting, fromCI string) string {
	var from []string
	if s.ci != nil {
		from = append(from, fromCI)
	}
	if s.git != nil {
		from = append(from, s.gitSource)
	}
	if d := s.Default(); d != "" {
		from = append(from, "`"+d+"`")
	}
	if len(from) == 0 {
		return "–"
	}
	return strings.Join(from, ", else ")
}

// inputDescription is an action input's description: what the setting
// wants, its default, its variables.
func inputDescription(s Setting, input string) string {
	var b strings.Builder
	if input != string(s.Name) {
		fmt.Fprintf(&b, "rollbar/github-deploy-action's name for %s; either works. ", s.Name)
	}
	b.WriteString(strings.ToUpper(s.Help[:1]) + s.Help[1:] + ": " + s.Want + ".")
	if f := fallback(s, "what the run tells"); f != "–" {
		b.WriteString(" Default: " + strings.ReplaceAll(f, "`", "") + ".")
	}
	if s.Secret {
		b.WriteString(" Masked in the log.")
	}
	b.WriteString(" Env: " + strings.Join(s.Vars, " or ") + ".")
	if note := actionNotes[string(s.Name)]; note != "" {
		b.WriteString(" " + note)
	}
	return b.String()
}

// actionNotes say what only the Action does with a setting.
var actionNotes = map[string]string{
	"status": "A final step can pass the job's own status (job.status).",
	"deploy_id": "Not needed within a job: a started step hands its id to the job's later steps of the same " +
		"environment. DEPLOY_ID, rollbar/github-deploy-action's variable, works too.",
	"fail_on_error": "It covers the install step too: with never, a binary that cannot be had is a warning and " +
		"the deploy is not recorded; with config, only when the download met an outage.",
}

// inputKey and descriptionKey are the lines of action.yml that start an
// input and its description.
var (
	inputKey       = regexp.MustCompile(`^  ([a-z_]+):\s*$`)
	descriptionKey = regexp.MustCompile(`^    description:`)
)

// withDescriptions rewrites the description of each of action.yml's inputs
// that is a setting, and leaves every other line as it is.
func withDescriptions(action string) string {
	inputs := map[string]Setting{}
	for _, s := range Table {
		for _, name := range append([]string{string(s.Name)}, s.Aliases...) {
			inputs[name] = s
		}
	}
	lines := strings.SplitAfter(action, "\n")
	var out []string
	section, input := "", ""
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if line != "" && line[0] != ' ' && line[0] != '#' && line[0] != '\n' {
			section = strings.TrimSpace(line)
		}
		if m := inputKey.FindStringSubmatch(line); m != nil && section == "inputs:" {
			input = m[1]
		}
		s, ok := inputs[input]
		if !ok || section != "inputs:" || !descriptionKey.MatchString(line) {
			out = append(out, line)
			continue
		}
		// The old description's further lines are indented deeper.
		for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "     ") {
			i++
		}
		out = append(out, "    description: >-\n")
		for _, l := range wrap(inputDescription(s, input), 100-6) {
			out = append(out, "      "+l+"\n")
		}
	}
	return strings.Join(out, "")
}

// wrap breaks text into lines of at most width characters, at spaces.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		if line != "" && len(line)+1+len(word) > width {
			lines, line = append(lines, line), ""
		}
		line = strings.TrimPrefix(line+" "+word, " ")
	}
	return slices.DeleteFunc(append(lines, line), func(l string) bool { return l == "" })
}
