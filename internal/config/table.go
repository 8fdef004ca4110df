// Package config resolves the settings of a run from every place a user or a
// CI may put them, remembering where each value came from.
//
// Every setting is one row of Table. The first non-empty value wins, in this
// order: command-line flag, GitHub Action input (INPUT_*), Drone/Woodpecker
// plugin setting (PLUGIN_*), the tool's own variables (ROLLBAR_*), what the CI
// provider tells, git, the default.
package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rollbar-deploy/rollbar-deploy/internal/ci"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
	"github.com/rollbar-deploy/rollbar-deploy/internal/pipeline"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// Settings are the resolved values.
type Settings struct {
	AccessToken, ReadAccessToken     string
	Environment, Revision            string
	RollbarUsername, LocalUsername   string
	Comment                          string
	Status                           Status
	DeployID                         int64
	SourceMaps, MinifiedURLs         string
	URLPrefix                        string
	FailOnError                      Policy
	APIURL                           string
	Timeout                          time.Duration
	DryRun, Verbose                  bool
	Dotenv                           string
	WatchFor, WatchInterval          time.Duration
	WatchLevels                      []string
	MaxNewItems, MaxReactivatedItems int
}

// Setting is one row of the table: every name it answers to, what a valid
// value looks like, and how a value is read into Settings.
type Setting struct {
	Name    string   // the input and plugin name; with - for _, the flag
	Aliases []string // further input names (rollbar/github-deploy-action's, for a drop-in)
	Vars    []string // the tool's own variables
	Flags   []string // further flag spellings users type ("env", "e")
	Want    string   // what a valid value looks like, for help and errors
	Default string
	Secret  bool
	Bool    bool // a flag that takes no value

	ci        func(ci.Info) ci.Field
	keys      func(in Input, keys []string) []string // the variables to look in, where they differ by run
	git       func(git.Commit) string
	gitSource string
	set       func(s *Settings, v string) error
	get       func(s *Settings) string
}

// Flag is the setting's main command-line flag, without dashes.
func (s Setting) Flag() string { return strings.ReplaceAll(s.Name, "_", "-") }

// Limits Rollbar enforces on a deploy's fields.
const (
	maxField   = 255
	maxComment = 64 << 10
)

// Table lists every setting in the order help and the dry run show them.
var Table = []Setting{
	{Name: "environment", Vars: []string{"ROLLBAR_ENVIRONMENT", "ROLLBAR_ENV"}, Flags: []string{"env", "e"},
		Want: "a name such as production (at most 255 characters)",
		ci:   func(i ci.Info) ci.Field { return i.Environment }, set: environment, get: str(env)},
	{Name: "revision", Aliases: []string{"version"}, Vars: []string{"ROLLBAR_REVISION"},
		Want: "a commit SHA (at most 255 characters)",
		ci:   func(i ci.Info) ci.Field { return i.Revision }, git: func(c git.Commit) string { return c.SHA }, gitSource: "git HEAD",
		set: revision, get: str(rev)},
	{Name: "status", Vars: []string{"ROLLBAR_DEPLOY_STATUS"}, Default: "succeeded",
		Want: "one of started, succeeded, failed, timed_out (or success, failure, error, cancelled)",
		set:  func(s *Settings, v string) (err error) { s.Status, err = ParseStatus(v); return err },
		get:  func(s *Settings) string { return string(s.Status) }},
	{Name: "local_username", Vars: []string{"ROLLBAR_LOCAL_USERNAME"}, Want: "a user name (at most 255 characters)",
		ci: func(i ci.Info) ci.Field { return i.LocalUsername }, git: func(c git.Commit) string { return c.Committer }, gitSource: "git committer of HEAD",
		set: text(maxField, local), get: str(local)},
	{Name: "rollbar_username", Vars: []string{"ROLLBAR_USERNAME"}, Want: "a Rollbar user name (at most 255 characters)",
		set: text(maxField, rollbarUser), get: str(rollbarUser)},
	{Name: "comment", Vars: []string{"ROLLBAR_COMMENT"}, Want: "text (at most 64 KiB); default: the URL of the CI run",
		ci:  func(i ci.Info) ci.Field { return i.Comment },
		set: func(s *Settings, v string) error { s.Comment = v; return nil }, get: str(comment)},
	{Name: "deploy_id", Vars: []string{pipeline.DeployIDVar}, Want: "a positive deploy id such as 45306460",
		// A ROLLBAR_DEPLOY_ID the tool saved is not the user's (see saved); a
		// CI may carry the user's id in a variable of its own.
		keys: func(in Input, keys []string) []string {
			if env, _ := handedOver(in); env != "" {
				keys = slices.DeleteFunc(keys, func(k string) bool { return k == pipeline.DeployIDVar })
			}
			return append(keys, in.CI.DeployIDVars...)
		},
		set: func(s *Settings, v string) (err error) { s.DeployID, err = ParseDeployID(v); return err },
		get: func(s *Settings) string { return strconv.FormatInt(s.DeployID, 10) }},
	{Name: "access_token", Vars: []string{"ROLLBAR_ACCESS_TOKEN"}, Secret: true,
		Want: "a project access token with the post_server_item scope",
		set:  token(func(s *Settings) *string { return &s.AccessToken })},
	{Name: "read_access_token", Vars: []string{"ROLLBAR_READ_ACCESS_TOKEN"}, Secret: true,
		Want: "a project access token with the read scope (default: the access token)",
		set:  token(func(s *Settings) *string { return &s.ReadAccessToken })},
	{Name: "source_maps", Vars: []string{"ROLLBAR_SOURCE_MAPS"}, Want: "space-separated .map files, directories or globs (a plugin setting: commas too)",
		set: func(s *Settings, v string) error { s.SourceMaps = v; return nil }, get: str(sourceMaps)},
	{Name: "minified_urls", Vars: []string{"ROLLBAR_MINIFIED_URLS"}, Want: "space-separated URLs, one for each source map (a plugin setting: commas too)",
		set: func(s *Settings, v string) error { s.MinifiedURLs = v; return nil }, get: str(minified)},
	{Name: "url_prefix", Vars: []string{"ROLLBAR_URL_PREFIX"},
		Want: "the URL the minified files are served under, such as https://example.com/static/",
		set: func(s *Settings, v string) error {
			if u, err := url.Parse(v); err != nil || u.Scheme == "" || u.Host == "" {
				return errors.New("is not a URL with a scheme and a host")
			}
			s.URLPrefix = v
			return nil
		}, get: str(prefix)},
	{Name: "watch_for", Vars: []string{"ROLLBAR_WATCH_FOR"},
		Want: "a duration such as 10m: how long to watch the new version (watch: default 10m; record: unset = no watch)",
		set:  duration(func(s *Settings) *time.Duration { return &s.WatchFor }),
		get:  func(s *Settings) string { return s.WatchFor.String() }},
	{Name: "watch_interval", Vars: []string{"ROLLBAR_WATCH_INTERVAL"}, Default: "30s",
		Want: "a duration of 1s or more, such as 30s: how often to ask Rollbar",
		set: func(s *Settings, v string) error {
			// Faster asks more than it learns, and spends the token's rate limit.
			if d, err := time.ParseDuration(v); err == nil && d < time.Second {
				return errors.New("is under 1s")
			}
			return duration(func(s *Settings) *time.Duration { return &s.WatchInterval })(s, v)
		},
		get: func(s *Settings) string { return s.WatchInterval.String() }},
	{Name: "watch_levels", Vars: []string{"ROLLBAR_WATCH_LEVELS"}, Default: "error,critical",
		Want: "comma-separated levels among debug, info, warning, error, critical",
		set:  levels, get: func(s *Settings) string { return strings.Join(s.WatchLevels, ",") }},
	{Name: "max_new_items", Vars: []string{"ROLLBAR_MAX_NEW_ITEMS"}, Default: "0",
		Want: "a count, 0 or more: how many new items the gate tolerates",
		set:  count(func(s *Settings) *int { return &s.MaxNewItems }), get: func(s *Settings) string { return strconv.Itoa(s.MaxNewItems) }},
	{Name: "max_reactivated_items", Vars: []string{"ROLLBAR_MAX_REACTIVATED_ITEMS"}, Default: "0",
		Want: "a count, 0 or more: how many reactivated items the gate tolerates",
		set:  count(func(s *Settings) *int { return &s.MaxReactivatedItems }), get: func(s *Settings) string { return strconv.Itoa(s.MaxReactivatedItems) }},
	{Name: "fail_on_error", Vars: []string{"ROLLBAR_FAIL_ON_ERROR"}, Default: "config",
		Want: "one of config, always, never (or true, false)",
		ci: func(i ci.Info) ci.Field {
			if i.FailOnError == "" {
				return ci.Field{}
			}
			return ci.Field{Value: i.FailOnError, Source: i.Provider + " default"}
		},
		set: func(s *Settings, v string) (err error) { s.FailOnError, err = ParsePolicy(v); return err },
		get: func(s *Settings) string { return string(s.FailOnError) }},
	{Name: "api_url", Vars: []string{"ROLLBAR_API_URL", "ROLLBAR_ENDPOINT"}, Default: "https://api.rollbar.com",
		Want: "an http(s) URL such as https://api.rollbar.com",
		set:  func(s *Settings, v string) (err error) { s.APIURL, err = apiBase(v); return err }, get: str(api)},
	{Name: "timeout", Vars: []string{"ROLLBAR_TIMEOUT"}, Default: "30s",
		Want: "a duration such as 30s or 2m: how long the requests may take, retries included (a watch has its own window)",
		set:  duration(func(s *Settings) *time.Duration { return &s.Timeout }),
		get:  func(s *Settings) string { return s.Timeout.String() }},
	{Name: "dry_run", Vars: []string{"ROLLBAR_DRY_RUN"}, Bool: true, Want: "true or false: show what would be sent, send nothing",
		set: boolean(func(s *Settings) *bool { return &s.DryRun }), get: func(s *Settings) string { return strconv.FormatBool(s.DryRun) }},
	{Name: "dotenv", Vars: []string{"ROLLBAR_DOTENV"}, Want: "a file path such as deploy.env, for GitLab's dotenv report",
		set: func(s *Settings, v string) error { s.Dotenv = v; return nil }, get: str(dotenv)},
	{Name: "verbose", Vars: []string{"ROLLBAR_VERBOSE"}, Bool: true, Want: "true or false: log every request (never a token)",
		set: boolean(func(s *Settings) *bool { return &s.Verbose }), get: func(s *Settings) string { return strconv.FormatBool(s.Verbose) }},
}

// Lookup returns the row of a setting.
func Lookup(name string) (Setting, bool) {
	for _, s := range Table {
		if s.Name == name {
			return s, true
		}
	}
	return Setting{}, false
}

// Inputs lists every Action input and plugin setting name the settings
// answer to, rollbar/github-deploy-action's aliases included.
func Inputs() []string {
	var names []string
	for _, s := range Table {
		names = append(append(names, s.Name), s.Aliases...)
	}
	return names
}

// envKeys lists a setting's variables in order: Action inputs (the runner
// keeps hyphens, some forks turn them into underscores), plugin settings
// (Drone keeps hyphens, Woodpecker maps them to underscores), then the tool's
// own variables.
func (s Setting) envKeys() []string {
	var keys []string
	for _, prefix := range []string{"INPUT_", "PLUGIN_"} {
		for _, n := range append([]string{s.Name}, s.Aliases...) {
			up := strings.ToUpper(n)
			keys = append(keys, prefix+up)
			if dashed := strings.ReplaceAll(up, "_", "-"); dashed != up {
				keys = append(keys, prefix+dashed)
			}
		}
	}
	return append(keys, s.Vars...)
}

// Where tells a user every way to set a setting, for errors and help.
func (s Setting) Where() string {
	return "--" + s.Flag() + ", " + strings.Join(s.Vars, " or ") + ", or the Action input or plugin setting " + s.Name
}

// Field accessors shared by parsing and display.
func env(s *Settings) *string         { return &s.Environment }
func rev(s *Settings) *string         { return &s.Revision }
func local(s *Settings) *string       { return &s.LocalUsername }
func rollbarUser(s *Settings) *string { return &s.RollbarUsername }
func comment(s *Settings) *string     { return &s.Comment }
func sourceMaps(s *Settings) *string  { return &s.SourceMaps }
func minified(s *Settings) *string    { return &s.MinifiedURLs }
func prefix(s *Settings) *string      { return &s.URLPrefix }
func api(s *Settings) *string         { return &s.APIURL }
func dotenv(s *Settings) *string      { return &s.Dotenv }

func str(f func(*Settings) *string) func(*Settings) string {
	return func(s *Settings) string { return *f(s) }
}

func text(limit int, f func(*Settings) *string) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		if n := utf8.RuneCountInString(v); n > limit {
			return fmt.Errorf("is %d characters long: Rollbar accepts at most %d", n, limit)
		}
		*f(s) = v
		return nil
	}
}

// token refuses what no HTTP header can carry, before a request fails on
// it as if Rollbar were down.
func token(f func(*Settings) *string) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		if strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) || r > unicode.MaxASCII }) {
			return &problem{"has a space, a control or a non-ASCII character", "copy the token again from Rollbar's project settings"}
		}
		*f(s) = v
		return nil
	}
}

// environment refuses what no later step could be handed: the id's
// environment goes into files CIs read line by line.
func environment(s *Settings, v string) error {
	switch {
	case strings.ContainsFunc(v, unicode.IsControl):
		return &problem{"has a line break or a control character", "use a name such as production"}
	case unexpanded(v):
		return &problem{"looks like an expression the CI did not expand", "check its spelling, or pass a name such as production"}
	}
	return text(maxField, env)(s, v)
}

// revision refuses what is certainly not the deployed commit: a ref name git
// would resolve on another machine, or a CI expression nobody expanded.
func revision(s *Settings, v string) error {
	switch {
	case strings.EqualFold(v, "HEAD"):
		return &problem{"is the literal HEAD", "pass the commit SHA, such as $(git rev-parse HEAD)"}
	case unexpanded(v):
		return &problem{"looks like an expression the CI did not expand", "check its spelling, or pass the commit SHA"}
	}
	return text(maxField, rev)(s, v)
}

// problem is a value's problem that comes with its own fix.
type problem struct{ msg, fix string }

func (p *problem) Error() string { return p.msg }

// unexpanded matches a CI's expression left in a value: GitHub's ${{ }}, a
// shell's ${…}, $(…) and $NAME (Azure's $(…) and $[ ] too), GitLab's
// $[[ ]], and cmd's or TeamCity's %name%, %env.NAME%. "US$", "a$b", "prod$1"
// and "100%" are no expressions.
var unexpanded = regexp.MustCompile(`\$[{(\[]|\$[A-Z_][A-Z0-9_]*|%[A-Za-z_][A-Za-z0-9_.]*%`).MatchString

func duration(f func(*Settings) *time.Duration) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return errors.New("is not a duration")
		}
		if d <= 0 {
			return errors.New("is not positive")
		}
		*f(s) = d
		return nil
	}
}

func count(f func(*Settings) *int) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return errors.New("is not a whole number, 0 or more")
		}
		*f(s) = n
		return nil
	}
}

func boolean(f func(*Settings) *bool) func(*Settings, string) error {
	return func(s *Settings, v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return errors.New("is not true or false")
		}
		*f(s) = b
		return nil
	}
}

func levels(s *Settings, v string) error {
	s.WatchLevels = nil
	for _, l := range strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return r == ',' || r == ' ' }) {
		if !slices.Contains(rollbar.Levels(), l) {
			return fmt.Errorf("has the unknown level %q", l)
		}
		s.WatchLevels = append(s.WatchLevels, l)
	}
	if len(s.WatchLevels) == 0 {
		return errors.New("names no level")
	}
	return nil
}

// ParseDeployID reads a deploy id: a positive number, or a deploy's Rollbar
// URL (https://rollbar.com/deploy/45306460/), as people paste it.
func ParseDeployID(v string) (int64, error) {
	if u, err := url.Parse(v); err == nil && (u.Host == "rollbar.com" || strings.HasSuffix(u.Host, ".rollbar.com")) {
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if len(parts) == 2 && parts[0] == "deploy" {
			v = parts[1]
		}
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 {
		return 0, errors.New("is not a deploy id")
	}
	return id, nil
}

// apiPath is where the path segment /api/1 starts in p, or -1: /api/10 and
// a host named api are not it.
func apiPath(p string) int {
	for i := 0; ; {
		j := strings.Index(p[i:], "/api/1")
		if j < 0 {
			return -1
		}
		end := i + j + len("/api/1")
		if end == len(p) || p[end] == '/' {
			return i + j
		}
		i = end
	}
}

// apiBase accepts an API URL, including one that ends in /api/1/… (what the
// Rollbar Heroku add-on sets as ROLLBAR_ENDPOINT), and returns the base URL.
func apiBase(raw string) (string, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return "", errors.New("does not parse as a URL")
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return "", errors.New("needs http:// or https:// and a host")
	case u.User != nil:
		return "", errors.New("has credentials in it: set the access token instead")
	}
	if i := apiPath(u.Path); i >= 0 {
		u.Path = u.Path[:i]
	}
	u.RawQuery, u.Fragment = "", ""
	return strings.TrimRight(u.String(), "/"), nil
}
