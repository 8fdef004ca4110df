package docs_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/rollbar-deploy/rollbar-deploy/internal/command"
	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
)

// A snippet in the README, the reference or examples/ names only inputs,
// settings and flags that exist: every `with:` of the action, every plugin
// `settings:`, every component input and every flag of a rollbar-deploy
// command line.
func TestSnippetsNameWhatExists(t *testing.T) {
	t.Parallel()
	pages, err := filepath.Glob("*.md")
	require.NoError(t, err)
	known := knownNames(t)
	checked := 0
	examples, err := filepath.Glob("../examples/*.yml")
	require.NoError(t, err)
	more, err := filepath.Glob("../examples/*/*.yml")
	require.NoError(t, err)
	for _, example := range append(examples, more...) {
		data, err := os.ReadFile(example)
		require.NoError(t, err)
		var doc any
		require.NoError(t, yaml.Unmarshal(data, &doc), example)
		checked += known.yaml(t, example, doc)
	}
	pages = append(pages, "../examples/heroku/README.md")
	for _, page := range append([]string{"../README.md", "../CONTRIBUTING.md"}, pages...) {
		data, err := os.ReadFile(page)
		require.NoError(t, err)
		for _, block := range fenced(string(data)) {
			where := page + ":" + block.line
			switch block.lang {
			case "yaml", "yml":
				var doc any
				require.NoError(t, yaml.Unmarshal([]byte(block.text), &doc), where)
				checked += known.yaml(t, where, doc)
			case "sh", "console", "Procfile":
				checked += known.commandLines(t, where, block.text)
			}
		}
	}
	assert.Greater(t, checked, 30, "snippets checked")
}

type names struct {
	inputs    []string            // action.yml's
	settings  []string            // plugin settings: the table's input names
	component []string            // the GitLab component's inputs
	flags     map[string][]string // by command; "" is record's
}

func knownNames(t *testing.T) names {
	t.Helper()
	var action struct{ Inputs map[string]any }
	data, err := os.ReadFile("../action.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(data, &action))
	// The component is two YAML documents: its spec, then its job.
	var component struct {
		Spec struct{ Inputs map[string]any }
	}
	data, err = os.ReadFile("../templates/rollbar-deploy.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.NewDecoder(strings.NewReader(string(data))).Decode(&component))
	n := names{settings: config.Inputs(), flags: map[string][]string{}}
	for name := range action.Inputs {
		n.inputs = append(n.inputs, name)
	}
	for name := range component.Spec.Inputs {
		n.component = append(n.component, name)
	}
	for _, cmd := range command.Commands() {
		spec := cmd.Spec()
		flags := []string{"help", "h", "version"}
		for _, name := range spec.Settings {
			s := name.Row()
			require.NotEmpty(t, s.Vars, "%s has no row in the table", name)
			flags = append(append(flags, s.Flag()), s.Flags...)
		}
		for _, e := range spec.Extra {
			flags = append(flags, e.Name)
		}
		n.flags[spec.Name] = flags
	}
	n.flags[""] = n.flags["record"]
	return n
}

// yaml checks every step, plugin and include in a YAML snippet, and every
// rollbar-deploy command line in its strings.
func (n names) yaml(t *testing.T, where string, node any) (checked int) {
	switch v := node.(type) {
	case []any:
		for _, item := range v {
			checked += n.yaml(t, where, item)
		}
	case map[string]any:
		uses, _ := v["uses"].(string)
		image, _ := v["image"].(string)
		component, _ := v["component"].(string)
		switch {
		case strings.HasPrefix(uses, "rollbar-deploy/rollbar-deploy@"):
			checked += keysIn(t, where, "action input", v["with"], n.inputs)
		case strings.Contains(image, "/rollbar-deploy:") && v["settings"] != nil:
			checked += keysIn(t, where, "plugin setting", v["settings"], n.settings)
		case strings.Contains(component, "/rollbar-deploy/rollbar-deploy/rollbar-deploy@"):
			checked += keysIn(t, where, "component input", v["inputs"], n.component)
		}
		for _, value := range v {
			checked += n.yaml(t, where, value)
		}
	case string:
		checked += n.commandLines(t, where, v)
	}
	return checked
}

func keysIn(t *testing.T, where, kind string, m any, known []string) int {
	t.Helper()
	given, _ := m.(map[string]any)
	for key := range given {
		assert.True(t, slices.Contains(known, key), "%s: %s %q does not exist", where, kind, key)
	}
	return 1
}

// invocation is rollbar-deploy run by a shell: a line's words up to the end
// of the command (a comment, a pipe, a list operator, a closing paren).
var invocation = regexp.MustCompile(`(?:^|[\s;|&(=$])rollbar-deploy((?:[ \t]+[^\s;|&)#]+)*)`)

// commandLines checks every rollbar-deploy command line in text: its flags
// are its command's.
func (n names) commandLines(t *testing.T, where, text string) (checked int) {
	text = strings.ReplaceAll(text, "\\\n", " ")
	for _, m := range invocation.FindAllStringSubmatch(text, -1) {
		words := strings.Fields(m[1])
		cmd := ""
		for _, w := range words {
			if _, ok := n.flags[w]; ok && !strings.HasPrefix(w, "-") {
				cmd = w
				break
			}
		}
		for _, w := range words {
			if !strings.HasPrefix(w, "-") || w == "-" {
				continue
			}
			flag, _, _ := strings.Cut(strings.TrimLeft(w, "-"), "=")
			assert.True(t, slices.Contains(n.flags[cmd], flag),
				"%s: rollbar-deploy %s has no flag %s (in %q)", where, cmd, w, strings.TrimSpace(m[0]))
		}
		checked++
	}
	return checked
}

type block struct{ lang, text, line string }

// fenced returns the fenced code blocks of a Markdown page.
func fenced(page string) []block {
	var blocks []block
	var cur *block
	for i, line := range strings.Split(page, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && strings.HasPrefix(trimmed, "```"):
			cur = &block{lang: strings.TrimPrefix(trimmed, "```"), line: strconv.Itoa(i + 1)}
		case cur != nil && trimmed == "```":
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		}
	}
	return blocks
}

// A GitLab example's job that records a deploy `when: on_failure` names the
// job that started it in `needs:`: on_failure alone runs after any failed job
// of an earlier stage, a test job's too, when nothing was deployed, and would
// record a failed deploy that never was.
func TestGitLabFailedJobNeedsTheDeploy(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../examples/gitlab/*.yml")
	require.NoError(t, err)
	for _, file := range append(files, "../e2e/drivers/testdata/gitlab-ci-retry.yml") {
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		var pipeline map[string]any
		require.NoError(t, yaml.Unmarshal(data, &pipeline), file)
		var failed []string
		for name, job := range pipeline {
			if job, ok := job.(map[string]any); ok && job["when"] == "on_failure" {
				failed = append(failed, name)
			}
		}
		includes, _ := pipeline["include"].([]any)
		for _, include := range includes {
			inputs, _ := include.(map[string]any)["inputs"].(map[string]any)
			if inputs["when"] == "on_failure" {
				failed = append(failed, cmpOr(inputs["job_prefix"], "rollbar-deploy")+"-"+cmpOr(inputs["status"], "succeeded"))
			}
		}
		for _, name := range failed {
			job, _ := pipeline[name].(map[string]any)
			needs, _ := job["needs"].([]any)
			assert.True(t, slices.ContainsFunc(needs, func(n any) bool { s, _ := n.(string); return strings.HasSuffix(s, "started") }),
				"%s: %s runs on_failure with no needs: on its started job: after a failed test job it records a deploy that never was", file, name)
		}
	}
}

func cmpOr(v any, fallback string) string {
	if s, ok := v.(string); ok && s != "" {
		return s
	}
	return fallback
}
