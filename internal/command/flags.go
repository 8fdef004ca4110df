package command

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
)

// Spec is what a command declares: its name and help, the settings it takes
// as flags, and its other flags. Help and flag parsing are made from it.
type Spec struct {
	Name, Usage, Summary string
	Settings             []config.Name
	// Required are settings to give whatever their default: update's status
	// is the point of it.
	Required []config.Name
	Extra    []Extra
	// Tolerant commands are what a deploy pipeline runs: the failure policy
	// applies to them. get and list are read by people, who want to see
	// failures.
	tolerant bool
}

// Extra is a flag that is not a setting.
type Extra struct {
	Name, Want string
	Bool       bool
}

var jsonFlag = Extra{Name: "json", Want: "machine-readable output on stdout", Bool: true}

// commandLine is the parsed command line.
type commandLine struct {
	settings      map[config.Name]string
	extra         map[string]string
	args          []string
	help, version bool
}

func (line commandLine) bool(name string) bool { b, _ := strconv.ParseBool(line.extra[name]); return b }

// flagDef is one spelling of a flag of some command.
type flagDef struct {
	setting config.Name // "" for an Extra
	extra   Extra
	bool    bool
}

func defs(spec *Spec) map[string]flagDef {
	m := map[string]flagDef{}
	for _, name := range spec.Settings {
		s := name.Row()
		for _, f := range append([]string{s.Flag()}, s.Flags...) {
			m[f] = flagDef{setting: name, bool: s.Bool}
		}
	}
	for _, e := range spec.Extra {
		m[e.Name] = flagDef{extra: e, bool: e.Bool}
	}
	return m
}

// commands is every command with its spec and flags, made once a run, and
// every flag any of them takes.
type commands struct {
	list  []Command
	specs []*Spec
	names []string
	defs  []map[string]flagDef
	all   map[string]flagDef
}

func newCommands() *commands {
	c := &commands{list: Commands(), all: map[string]flagDef{}}
	for _, cmd := range c.list {
		spec := cmd.Spec()
		c.specs, c.names = append(c.specs, spec), append(c.names, spec.Name)
		c.defs = append(c.defs, defs(spec))
		maps.Copy(c.all, c.defs[len(c.defs)-1])
	}
	return c
}

// parse finds the command and reads its flags. Flags may come before or
// after positional arguments, as users of other CLIs expect.
func parse(args []string) (Command, commandLine, error) {
	line := commandLine{settings: map[config.Name]string{}, extra: map[string]string{}}
	cmds := newCommands()
	which := 0
	if i := cmds.index(args); i >= 0 {
		name := args[i]
		args = append(slices.Clone(args[:i]), args[i+1:]...)
		if name == "help" {
			line.help = true
			if j := cmds.index(args); j >= 0 {
				name, args = args[j], append(slices.Clone(args[:j]), args[j+1:]...)
			}
		}
		which = slices.Index(cmds.names, name)
		if which < 0 && name != "help" {
			return cmds.list[0], line, fmt.Errorf("unknown command %q%s: use %s",
				name, didYouMean(name, cmds.names, ""), strings.Join(cmds.names, ", "))
		}
		which = max(which, 0)
	}
	cmd, spec, known := cmds.list[which], cmds.specs[which], cmds.defs[which]
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			line.args = append(line.args, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			line.args = append(line.args, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		dashes := a[:len(a)-len(strings.TrimLeft(a, "-"))]
		switch name {
		case "h", "help":
			line.help = true
			continue
		case "version":
			line.version = true
			continue
		}
		def, ok := known[name]
		if !ok {
			return cmd, line, cmds.unknownFlag(dashes, name, spec, known)
		}
		switch {
		case def.bool && !hasValue:
			value = "true"
		case def.bool:
			if _, err := strconv.ParseBool(value); err != nil {
				return cmd, line, fmt.Errorf("%s%s=%s: use true or false", dashes, name, value)
			}
		case !hasValue && i+1 < len(args):
			i++
			value = args[i]
		case !hasValue:
			return cmd, line, fmt.Errorf("%s%s needs a value: %s", dashes, name, want(def))
		}
		if def.setting != "" {
			line.settings[def.setting] = value
		} else {
			line.extra[def.extra.Name] = value
		}
	}
	return cmd, line, nil
}

// index finds the command among args: the first argument, or a command's
// name after flags of any command. It is -1 for none (record).
func (c *commands) index(args []string) int {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return -1
		}
		if !strings.HasPrefix(a, "-") {
			if i == 0 || a == "help" || slices.Contains(c.names, a) {
				return i
			}
			continue // the value of a flag this run does not know: parse says so
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if def, ok := c.all[name]; ok && !def.bool && !hasValue {
			i++
		}
	}
	return -1
}

func want(def flagDef) string {
	if def.setting != "" {
		return def.setting.Row().Want
	}
	return def.extra.Want
}

// unknownFlag says what is wrong with a flag: it belongs to another command,
// or it is a typo of one of this command's.
func (c *commands) unknownFlag(dashes, name string, spec *Spec, known map[string]flagDef) error {
	if _, ok := c.all[name]; ok {
		return fmt.Errorf("%s%s does not apply to %s: run 'rollbar-deploy %s --help' for its flags",
			dashes, name, spec.Name, spec.Name)
	}
	names := make([]string, 0, len(known))
	for n := range known {
		names = append(names, n)
	}
	return fmt.Errorf("unknown flag %s%s%s: run 'rollbar-deploy %s --help' for its flags",
		dashes, name, didYouMean(name, names, "--"), spec.Name)
}

// didYouMean names the closest of names to a typo, if one is close.
func didYouMean(typo string, names []string, prefix string) string {
	best, bestDist := "", 3
	for _, n := range names {
		d := config.Distance(typo, n)
		if len(n) > 2 && strings.HasPrefix(n, typo) && len(typo) >= 3 {
			d = min(d, 1)
		}
		if d < bestDist || d == bestDist && n < best {
			best, bestDist = n, d
		}
	}
	if best == "" || bestDist >= len(typo) {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s%s?)", prefix, best)
}

// help is a command's help, made from its spec and the settings table.
func help(cmd Command) string {
	spec := cmd.Spec()
	var b strings.Builder
	fmt.Fprintf(&b, "rollbar-deploy %s: %s\n\nUsage:\n  rollbar-deploy %s\n", spec.Name, spec.Summary, spec.Usage)
	if spec.Name == "record" {
		b.WriteString("\nCommands:\n")
		for _, c := range Commands() {
			s := c.Spec()
			fmt.Fprintf(&b, "  %-11s %s\n", s.Name, s.Summary)
		}
		b.WriteString("\nRun 'rollbar-deploy COMMAND --help' for a command's flags.\n")
	}
	b.WriteString("\nFlags (each setting is also an Action input, a PLUGIN_ setting and a variable):\n")
	for _, name := range spec.Settings {
		s := name.Row()
		spellings := "--" + s.Flag()
		for _, f := range s.Flags {
			spellings += ", " + strings.Repeat("-", min(len(f), 2)) + f
		}
		fmt.Fprintf(&b, "  %s  (%s)\n      %s: %s", spellings, strings.Join(s.Vars, ", "), s.Help, s.Want)
		switch {
		case slices.Contains(spec.Required, name):
			b.WriteString(" (required)")
		case s.Default() != "":
			fmt.Fprintf(&b, " (default %s)", s.Default())
		}
		b.WriteString("\n")
	}
	for _, e := range spec.Extra {
		fmt.Fprintf(&b, "  --%s\n      %s\n", e.Name, e.Want)
	}
	b.WriteString("  --help, --version\n\n" +
		"Exit codes: 0 success (or a failure fail_on_error tolerates), 1 a request failed,\n" +
		"2 usage or configuration error, 3 the watched version breached the gate.\n")
	return b.String()
}
