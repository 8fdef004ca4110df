// Package cli is the rollbar-deploy command: it parses the arguments, runs
// one command, and decides the exit code, all with the environment, the
// writers and the clock passed in.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/ci"
	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// Exit codes of SPEC section 5.
const (
	ExitOK     = 0
	ExitFailed = 1 // the request failed
	ExitUsage  = 2 // usage, configuration or validation error
)

// Command is one run of rollbar-deploy.
type Command struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	ReadFile       func(string) ([]byte, error)
	Now            func() time.Time
	Dir            string // the working directory: git checkout, dotenv and workspace files
	Version        string
	HTTP           *http.Client // nil: Go's default client
	// Git reads HEAD of a checkout; nil means the git command.
	Git func(ctx context.Context, dir string) (git.Commit, error)
}

// invocation is the parsed command line.
type invocation struct {
	command    string
	args       []string
	settings   map[string]string
	json       bool
	all        bool
	page       int
	limit      int
	help, show bool // --help, --version
}

// usageError is a command line that cannot be run as written.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

var commands = map[string]bool{"record": true, "update": true, "get": true, "list": true, "sourcemaps": true, "help": true}

// Main runs the command line args and returns the exit code.
func (c *Command) Main(ctx context.Context, args []string) int {
	inv, err := parse(args)
	out := c.newReporter(inv.settings)
	if err != nil {
		out.Errorf("%v\nRun 'rollbar-deploy --help' for usage.", err)
		return ExitUsage
	}
	switch {
	case inv.help || inv.command == "help":
		fmt.Fprint(out.stdout, usage)
		return ExitOK
	case inv.show:
		fmt.Fprintf(out.stdout, "rollbar-deploy %s\n", c.Version)
		return ExitOK
	}

	in := config.Input{
		Flags:  inv.settings,
		Getenv: c.Getenv,
		CI:     ci.Detect(c.Getenv, c.ReadFile),
		Git:    func() (git.Commit, error) { return c.git(ctx) },
	}
	cfg, err := config.Resolve(ctx, in)
	if err != nil {
		return exitCode(out, err, config.FailurePolicy(in), inv.command)
	}
	for _, w := range cfg.Warnings {
		out.Warnf("%s", w)
	}
	run := &run{Command: c, inv: inv, cfg: cfg, out: out}
	return exitCode(out, run.dispatch(ctx), cfg.FailOnError, inv.command)
}

func (c *Command) git(ctx context.Context) (git.Commit, error) {
	if c.Git != nil {
		return c.Git(ctx, c.Dir)
	}
	return git.Head(ctx, c.Dir)
}

// exitCode reports err and decides the exit code: the one place that does.
// The failure policy applies to what a deploy pipeline runs (record, update,
// sourcemaps); get and list are read by people, who want to see failures.
func exitCode(out *reporter, err error, policy config.Policy, command string) int {
	if err == nil {
		return ExitOK
	}
	code := ExitFailed
	var cfgErr *config.Error
	var usage *usageError
	switch {
	case errors.As(err, &usage), errors.As(err, &cfgErr):
		code = ExitUsage
	case errors.Is(err, context.Canceled):
		out.Errorf("interrupted")
		return ExitFailed
	}
	outage := code == ExitFailed && rollbar.Transient(err)
	tolerated := command != "get" && command != "list" && usage == nil &&
		(policy == config.FailNever || outage && policy != config.FailAlways)
	if tolerated {
		why := "fail_on_error is never, so this does not fail the run"
		if policy != config.FailNever {
			why = "an outage at Rollbar does not fail the deploy; set fail_on_error to always to fail on outages too"
		}
		out.Warnf("%s\n%s", describe(err), why)
		return ExitOK
	}
	out.Errorf("%s", describe(err))
	return code
}

// describe is the message of err with what to do about it.
func describe(err error) string {
	msg := err.Error()
	var api *rollbar.APIError
	if errors.As(err, &api) && api.Hint() != "" {
		msg += "\nHint: " + api.Hint()
	}
	return msg
}

// parse reads the command line. Flags may come before or after positional
// arguments, as users of other CLIs expect.
func parse(args []string) (invocation, error) {
	inv := invocation{settings: map[string]string{}, page: 1}
	fs := flag.NewFlagSet("rollbar-deploy", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	for _, f := range config.Flags() {
		fs.Var(&settingFlag{m: inv.settings, name: f.Setting, bool: f.Bool}, f.Name, f.Usage)
	}
	fs.BoolVar(&inv.json, "json", false, "")
	fs.BoolVar(&inv.all, "all", false, "")
	fs.IntVar(&inv.page, "page", 1, "")
	fs.IntVar(&inv.limit, "limit", 0, "")
	fs.BoolVar(&inv.help, "help", false, "")
	fs.BoolVar(&inv.help, "h", false, "")
	fs.BoolVar(&inv.show, "version", false, "")

	var positional []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return inv, &usageError{msg: flagError(err)}
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		positional, rest = append(positional, rest[0]), rest[1:]
	}
	inv.command = "record"
	if len(positional) > 0 {
		if !commands[positional[0]] {
			return inv, &usageError{msg: fmt.Sprintf("unknown command %q: use record, update, get, list or sourcemaps", positional[0])}
		}
		inv.command, positional = positional[0], positional[1:]
	}
	inv.args = positional
	if inv.page < 1 || inv.limit < 0 {
		return inv, &usageError{msg: "--page must be 1 or more, --limit 0 or more"}
	}
	return inv, nil
}

// settingFlag records a flag's value under its setting's name, for the
// config resolver to rank against the other sources.
type settingFlag struct {
	m    map[string]string
	name string
	bool bool
}

func (f *settingFlag) String() string { return "" }
func (f *settingFlag) Set(v string) error {
	if f.bool {
		if _, err := strconv.ParseBool(v); err != nil {
			return err
		}
	}
	f.m[f.name] = v
	return nil
}
func (f *settingFlag) IsBoolFlag() bool { return f.bool }

// flagError rewords the flag package's errors in the tool's voice.
func flagError(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return fmt.Sprintf("unknown flag --%s", strings.TrimLeft(name, "-"))
	}
	return strings.TrimPrefix(msg, "flag ")
}
