// Package command is the rollbar-deploy command line: one type per command,
// each with its own flags and help, run with the environment, the writers,
// the file system and the clock passed in. Exit codes are decided here, in
// one place (exitCode).
package command

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
	"github.com/rollbar-deploy/rollbar-deploy/internal/handoff"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// CLI is one run of rollbar-deploy.
type CLI struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Environ        func() []string // nil: no warnings about misspelt variables
	ReadFile       func(string) ([]byte, error)
	Now            func() time.Time
	Dir            string // the working directory: git checkout, dotenv and workspace files
	Version        string
	HTTP           *http.Client // nil: Go's default client
}

// Process is what the operating system gives a run of rollbar-deploy.
type Process struct {
	Args           []string // without the program's name
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	Environ        func() []string
	ReadFile       func(string) ([]byte, error)
	Getwd          func() (string, error)
	Now            func() time.Time
}

// Main runs rollbar-deploy in process p and returns the exit code: the one
// entry point of main.go and of the scenarios, which run the binary's flows.
// ctx ends on the signals the caller chose.
func Main(ctx context.Context, p Process, version string) int {
	dir, _ := p.Getwd()
	c := &CLI{Stdout: p.Stdout, Stderr: p.Stderr, Getenv: p.Getenv, Environ: p.Environ, ReadFile: p.ReadFile,
		Now: p.Now, Dir: dir, Version: version}
	return c.Main(ctx, p.Args)
}

// Command is one of rollbar-deploy's commands.
type Command interface {
	Spec() *Spec
	// Run does the command's work; its error decides the exit code.
	Run(ctx context.Context, r *Invocation) error
}

// Commands lists the commands in the order help shows them; the first is
// what a bare rollbar-deploy runs.
func Commands() []Command {
	return []Command{&Record{}, &Update{}, &Get{}, &List{}, &Sourcemaps{}, &Watch{}}
}

// Invocation is what a command is given: the resolved settings, the flags
// that are not settings, its arguments, and where to speak.
type Invocation struct {
	*CLI
	Config *config.Config
	Args   []string
	JSON   bool
	Out    *reporter
	line   commandLine // the flags that are not settings
	spec   *Spec
	// jobEnv is the variables with what earlier steps of the job handed
	// over, for the hand-off to read.
	jobEnv func(string) string
	// printed is whether stdout has its JSON document already.
	printed bool
}

// Main runs the command line args and returns the exit code.
func (c *CLI) Main(ctx context.Context, args []string) int {
	cmd, line, err := parse(args)
	// The settings do not see what earlier steps handed over: that is the
	// hand-off's to read (handoff.Receive).
	jobEnv := handoff.GitHub{Getenv: c.Getenv}.StepEnv(c.ReadFile)
	in := config.Input{
		Flags:  line.settings,
		Getenv: handoff.UserEnv(jobEnv),
		Git:    func() (git.Commit, error) { return git.Head(ctx, c.Dir) },
	}
	info, ciErr := config.ReadCI(in, c.Getenv, c.ReadFile)
	out := c.newReporter(line.settings, info.WorkflowCommands)
	if err != nil {
		out.Errorf("%v", err)
		return ExitUsage
	}
	switch {
	case line.help:
		fmt.Fprint(out.stdout, help(cmd))
		return ExitOK
	case line.version:
		fmt.Fprintf(out.stdout, "rollbar-deploy %s\n", c.version())
		return ExitOK
	}
	in.CI = info
	if c.Environ != nil {
		in.Environ = slices.DeleteFunc(c.Environ(), func(kv string) bool {
			name, _, _ := strings.Cut(kv, "=")
			return handoff.Own(name)
		})
	}
	spec := cmd.Spec()
	if ciErr != nil {
		return exitCode(out, ciErr, config.FailurePolicy(in), spec)
	}
	cfg, err := config.Resolve(in)
	for _, w := range cfg.Warnings {
		out.Warnf("%s", w)
	}
	for _, d := range cfg.Doubts {
		// get and list only read: a value the user typed there is no doubt.
		if spec.tolerant && slices.Contains(spec.Settings, d.Setting) {
			out.Warnf("%s", d.Warning)
		}
	}
	if err != nil {
		return exitCode(out, err, config.FailurePolicy(in), spec)
	}
	out.verbose = bool(cfg.Verbose)
	if cfg.Verbose {
		for _, v := range cfg.Values(spec.Settings...) {
			if v.Source != "" {
				out.Debugf("%s = %s (from %s)", v.Name, cell(v.Value, 80), v.Source)
			}
		}
	}
	if slices.Contains(spec.Settings, config.APIURL) && rollbar.InClear(string(cfg.APIURL)) {
		out.Warnf("api_url %s (from %s) is plain http:// to another machine: "+
			"the token would cross the network in clear; use https://",
			string(cfg.APIURL), cfg.Source(config.APIURL))
	}
	r := &Invocation{CLI: c, Config: cfg, Args: line.args, JSON: line.bool("json"), Out: out, line: line, spec: spec,
		jobEnv: jobEnv}
	err = required(spec, cfg)
	if err == nil {
		err = cmd.Run(ctx, r)
	}
	if err != nil && r.JSON && !r.printed && tolerated(err, cfg.FailOnError, spec) {
		r.printJSON(map[string]any{"error": describe(err), "tolerated": true})
	}
	return exitCode(out, err, cfg.FailOnError, spec)
}

// required checks the settings spec needs given, not defaulted.
func required(spec *Spec, cfg *config.Config) error {
	for _, name := range spec.Required {
		if src := cfg.Source(name); src == "" || src == "default" {
			s := name.Row()
			return &config.Error{Setting: string(name), Problem: "is not set, and " + spec.Name + " needs it given",
				Fix: "pass --" + s.Flag() + ": " + s.Want}
		}
	}
	return nil
}

// Client is a Rollbar client for this run's settings.
func (r *Invocation) Client() *rollbar.Client {
	c := &rollbar.Client{
		BaseURL:   string(r.Config.APIURL),
		Token:     string(r.Config.AccessToken),
		ReadToken: string(r.Config.ReadAccessToken),
		UserAgent: "rollbar-deploy/" + r.version(),
		HTTP:      r.HTTP,
		Getenv:    r.Getenv,
		ReadFile:  r.ReadFile,
		Now:       r.Now,
		Warnf:     r.Out.Warnf,
	}
	if r.Config.Verbose {
		c.Logf = r.Out.Infof
	}
	return c
}

// Path resolves a path the user gave against the working directory.
func (r *Invocation) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(r.Dir, p)
}

// jsonError adds to a JSON result a failure the policy tolerates, which
// the result then carries in place of the document Main would print.
func (r *Invocation) jsonError(out map[string]any, err error) {
	if err != nil && tolerated(err, r.Config.FailOnError, r.spec) {
		out["error"], out["tolerated"] = describe(err), true
	}
}

func (r *Invocation) printJSON(v any) {
	r.printed = true
	_ = json.NewEncoder(r.Out.stdout).Encode(v)
}

// version is the release's version, or for a go install'ed binary its
// module's.
func (c *CLI) version() string {
	if c.Version != "" && c.Version != "dev" {
		return c.Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "dev"
}
