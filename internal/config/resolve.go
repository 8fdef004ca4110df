package config

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/sethvargo/go-envconfig"

	"github.com/rollbar-deploy/rollbar-deploy/internal/ci"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
)

// Limits Rollbar enforces on a deploy's fields.
const (
	maxField   = 255
	maxComment = 64 << 10
)

// Input is everything settings are resolved from.
type Input struct {
	Flags  map[string]string // by setting name, as given on the command line
	Getenv func(string) string
	CI     ci.Info
	// Git reads the checkout's HEAD commit; nil where there is none. It is
	// called at most once, and only when the variables leave a gap.
	Git func() (git.Commit, error)
}

// Config is the resolved settings with the source of each value.
type Config struct {
	Settings
	CI       ci.Info
	Sources  map[string]string // by setting name: "--environment", "ROLLBAR_ENV", "GITHUB_SHA", "default", …
	Warnings []string
	gitErr   error
}

// Source tells where a setting's value came from ("" when it is unset).
func (c *Config) Source(name string) string { return c.Sources[name] }

// Resolve reads every setting and checks each value on its own; what a
// command needs on top (Require) is the command's to ask.
func Resolve(ctx context.Context, in Input) (*Config, error) {
	r := newResolver(in)
	err := envconfig.ProcessWith(ctx, &envconfig.Config{Target: &r.cfg.Settings, Lookuper: r})
	if err != nil {
		s, ok := lookupSetting(r.last)
		if !ok {
			return nil, err
		}
		return nil, r.invalid(s, "is not valid", "use "+s.want)
	}
	r.markDefaults()
	if err := r.check(); err != nil {
		return nil, err
	}
	return r.cfg, nil
}

// FailurePolicy resolves fail_on_error alone, for a run whose other
// settings do not resolve: a user who asked never to fail the deploy is heard
// even when another setting is wrong. An unusable value falls back to the
// CI's default.
func FailurePolicy(in Input) Policy {
	r := newResolver(in)
	s, _ := lookupSetting("fail_on_error")
	var p Policy
	if _, v := r.find(s); v != "" && p.EnvDecode(v) == nil {
		return p
	}
	return Policy(in.CI.FailOnError)
}

type resolver struct {
	in      Input
	cfg     *Config
	last    string            // the setting looked up last: the one that failed to decode
	values  map[string]string // raw values by setting name, for error messages
	gitDone bool
	commit  git.Commit
}

func newResolver(in Input) *resolver {
	return &resolver{in: in, cfg: &Config{CI: in.CI, Sources: map[string]string{}}, values: map[string]string{}}
}

// Lookup implements envconfig.Lookuper: it walks a setting's sources in
// order and remembers which one answered. Blank counts as unset everywhere,
// since the Actions runner sets every declared input, "" when not given.
func (r *resolver) Lookup(name string) (string, bool) {
	s, ok := lookupSetting(name)
	if !ok {
		return "", false
	}
	source, value := r.find(s)
	if value == "" {
		return "", false
	}
	r.cfg.Sources[name] = source
	r.last, r.values[name] = name, value
	return value, true
}

func (r *resolver) find(s setting) (source, value string) {
	if v := strings.TrimSpace(r.in.Flags[s.name]); v != "" {
		return "--" + flagName(s.name), v
	}
	for _, key := range envKeys(s) {
		if v := strings.TrimSpace(r.getenv(key)); v != "" {
			return key, v
		}
	}
	if f := r.fromCI(s.name); f.Value != "" {
		return f.Source, f.Value
	}
	return r.fromGit(s.name)
}

// envKeys lists a setting's variables in order: Action inputs (the runner
// keeps hyphens, some forks turn them into underscores), plugin settings
// (Drone keeps hyphens, Woodpecker maps them to underscores), then the tool's
// own variables.
func envKeys(s setting) []string {
	var keys []string
	for _, prefix := range []string{"INPUT_", "PLUGIN_"} {
		for _, n := range append([]string{s.name}, s.aliases...) {
			up := strings.ToUpper(n)
			keys = append(keys, prefix+up)
			if dashed := strings.ReplaceAll(up, "_", "-"); dashed != up {
				keys = append(keys, prefix+dashed)
			}
		}
	}
	return append(keys, s.vars...)
}

func (r *resolver) getenv(key string) string {
	if r.in.Getenv == nil {
		return ""
	}
	return r.in.Getenv(key)
}

func (r *resolver) fromCI(name string) ci.Field {
	info := r.in.CI
	switch name {
	case "environment":
		return info.Environment
	case "revision":
		return info.Revision
	case "local_username":
		return info.LocalUsername
	case "comment":
		return info.Comment
	case "fail_on_error":
		if info.FailOnError != "" {
			return ci.Field{Value: info.FailOnError, Source: info.Provider + " default"}
		}
	}
	return ci.Field{}
}

func (r *resolver) fromGit(name string) (source, value string) {
	if name != "revision" && name != "local_username" || r.in.Git == nil {
		return "", ""
	}
	if !r.gitDone {
		r.gitDone = true
		r.commit, r.cfg.gitErr = r.in.Git()
	}
	if name == "revision" {
		return "git HEAD", r.commit.SHA
	}
	return "git committer of HEAD", r.commit.Committer
}

// markDefaults names "default" as the source of every setting that fell
// back to its tag's default.
func (r *resolver) markDefaults() {
	t := reflect.TypeFor[Settings]()
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("env"), ",")
		if strings.Contains(opts, "default=") && r.cfg.Sources[name] == "" {
			r.cfg.Sources[name] = "default"
		}
	}
}

func (r *resolver) invalid(s setting, problem, fix string) *Error {
	e := &Error{Setting: s.name, Source: r.cfg.Sources[s.name], Problem: problem, Fix: fix}
	if !s.secret {
		e.Value = r.values[s.name]
	}
	return e
}

// check validates each value on its own, so nothing invalid is ever sent.
func (r *resolver) check() error {
	c := r.cfg
	for _, f := range []struct {
		name  string
		value string
	}{{"environment", c.Environment}, {"revision", c.Revision}, {"local_username", c.LocalUsername}, {"rollbar_username", c.RollbarUsername}} {
		if n := utf8.RuneCountInString(f.value); n > maxField {
			s, _ := lookupSetting(f.name)
			return r.invalid(s, fmt.Sprintf("is %d characters long", n), "Rollbar accepts at most 255")
		}
	}
	if len(c.Comment) > maxComment {
		c.Comment = cutAtRune(c.Comment, maxComment)
		c.Warnings = append(c.Warnings, fmt.Sprintf("comment (from %s) is longer than Rollbar's 64 KiB: cut to %d bytes", c.Sources["comment"], len(c.Comment)))
	}
	if c.DeployID < 0 {
		s, _ := lookupSetting("deploy_id")
		return r.invalid(s, "is not valid", "use "+s.want)
	}
	if c.Timeout <= 0 {
		s, _ := lookupSetting("timeout")
		return r.invalid(s, "is not positive", "use "+s.want)
	}
	base, err := apiBase(c.APIURL)
	if err != nil {
		s, _ := lookupSetting("api_url")
		return r.invalid(s, "is not valid ("+err.Error()+")", "use "+s.want)
	}
	c.APIURL = base
	return nil
}

// apiBase accepts an API URL, including one that ends in /api/1/… (what the
// Rollbar Heroku add-on sets as ROLLBAR_ENDPOINT), and returns the base URL.
func apiBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", errors.New("it does not parse")
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", errors.New("it needs http:// or https:// and a host")
	}
	if u.User != nil {
		return "", errors.New("credentials do not belong in the URL; set the access token instead")
	}
	if i := strings.Index(u.Path, "/api/1"); i >= 0 {
		u.Path = u.Path[:i]
	}
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimRight(u.String(), "/"), nil
}

func cutAtRune(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Require checks that the named settings are set, with an error that tells
// every way to set the first one missing.
func (c *Config) Require(names ...string) error {
	for _, name := range names {
		if c.Sources[name] != "" {
			continue
		}
		s, _ := lookupSetting(name)
		e := &Error{Setting: name, Problem: "is not set", Fix: "set " + s.where()}
		if name == "access_token" {
			e.Setting, e.Fix = "ROLLBAR_ACCESS_TOKEN", "set it to a Rollbar project access token with the post_server_item scope (or pass --access-token, or the input access_token)"
		}
		if (name == "revision" || name == "local_username") && c.gitErr != nil {
			e.Fix += " (no git commit to read it from: " + c.gitErr.Error() + ")"
		}
		if name == "environment" && c.CI.Provider != "" {
			e.Fix += " (" + c.CI.Provider + " does not tell it)"
		}
		return e
	}
	return nil
}

// Secrets returns every token value a user may have given, wherever it is,
// for masking before anything else is printed.
func Secrets(flags map[string]string, getenv func(string) string) []string {
	var out []string
	for _, s := range table {
		if !s.secret {
			continue
		}
		if v := strings.TrimSpace(flags[s.name]); v != "" {
			out = append(out, v)
		}
		for _, key := range envKeys(s) {
			if v := strings.TrimSpace(getenv(key)); v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}
