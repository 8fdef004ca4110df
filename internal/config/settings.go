// Package config resolves the settings of a run from every place a user or a
// CI may put them, remembering where each value came from.
//
// The first non-empty value wins, in this order: command-line flag, GitHub
// Action input (INPUT_*), Drone/Woodpecker plugin setting (PLUGIN_*), the
// tool's own variables (ROLLBAR_*), what the CI provider tells, git, default.
package config

import (
	"strings"
	"time"
)

// Settings are the resolved values. The env tags are the settings' input
// names, which the resolver maps to flags and variables.
type Settings struct {
	AccessToken     string        `env:"access_token"`
	ReadAccessToken string        `env:"read_access_token"`
	Environment     string        `env:"environment"`
	Revision        string        `env:"revision"`
	RollbarUsername string        `env:"rollbar_username"`
	LocalUsername   string        `env:"local_username"`
	Comment         string        `env:"comment"`
	Status          Status        `env:"status, default=succeeded"`
	DeployID        int64         `env:"deploy_id"`
	SourceMaps      string        `env:"source_maps"`
	MinifiedURLs    string        `env:"minified_urls"`
	URLPrefix       string        `env:"url_prefix"`
	FailOnError     Policy        `env:"fail_on_error, default=config"`
	APIURL          string        `env:"api_url, default=https://api.rollbar.com"`
	Timeout         time.Duration `env:"timeout, default=30s"`
	DryRun          bool          `env:"dry_run"`
	Dotenv          string        `env:"dotenv"`
	Verbose         bool          `env:"verbose"`
}

// setting is one row of SPEC section 2: the input name, other input names
// it answers to, the tool's own variables, and what a valid value looks like.
type setting struct {
	name    string
	aliases []string // further input/plugin names (the official action's)
	vars    []string
	want    string
	secret  bool
	bool    bool // a flag that takes no value
}

// Table lists every setting in the order the dry run shows them.
var table = []setting{
	{name: "environment", vars: []string{"ROLLBAR_ENVIRONMENT", "ROLLBAR_ENV"}, want: "a name such as production (at most 255 characters)"},
	{name: "revision", aliases: []string{"version"}, vars: []string{"ROLLBAR_REVISION"}, want: "a commit SHA (at most 255 characters)"},
	{name: "status", vars: []string{"ROLLBAR_DEPLOY_STATUS"}, want: "one of started, succeeded, failed, timed_out (or success, failure, error, cancelled)"},
	{name: "local_username", vars: []string{"ROLLBAR_LOCAL_USERNAME"}, want: "a user name (at most 255 characters)"},
	{name: "rollbar_username", vars: []string{"ROLLBAR_USERNAME"}, want: "a Rollbar user name"},
	{name: "comment", vars: []string{"ROLLBAR_COMMENT"}, want: "text (at most 64 KiB)"},
	{name: "deploy_id", vars: []string{"ROLLBAR_DEPLOY_ID", "DEPLOY_ID"}, want: "a numeric deploy id such as 45306460"},
	{name: "access_token", vars: []string{"ROLLBAR_ACCESS_TOKEN"}, want: "a project access token with the post_server_item scope", secret: true},
	{name: "read_access_token", vars: []string{"ROLLBAR_READ_ACCESS_TOKEN"}, want: "a project access token with the read scope", secret: true},
	{name: "source_maps", vars: []string{"ROLLBAR_SOURCE_MAPS"}, want: "space-separated .map files, directories or globs"},
	{name: "minified_urls", vars: []string{"ROLLBAR_MINIFIED_URLS"}, want: "space-separated URLs, one for each source map"},
	{name: "url_prefix", vars: []string{"ROLLBAR_URL_PREFIX"}, want: "the URL the minified files are served under, such as https://example.com/static/"},
	{name: "fail_on_error", vars: []string{"ROLLBAR_FAIL_ON_ERROR"}, want: "one of config, always, never (or true, false)"},
	{name: "api_url", vars: []string{"ROLLBAR_API_URL", "ROLLBAR_ENDPOINT"}, want: "an http(s) URL such as https://api.rollbar.com"},
	{name: "timeout", vars: []string{"ROLLBAR_TIMEOUT"}, want: "a duration such as 30s or 2m"},
	{name: "dry_run", vars: []string{"ROLLBAR_DRY_RUN"}, want: "true or false", bool: true},
	{name: "dotenv", vars: []string{"ROLLBAR_DOTENV"}, want: "a file path such as deploy.env"},
	{name: "verbose", vars: []string{"ROLLBAR_VERBOSE"}, want: "true or false", bool: true},
}

func lookupSetting(name string) (setting, bool) {
	for _, s := range table {
		if s.name == name {
			return s, true
		}
	}
	return setting{}, false
}

// Flag is a command-line flag for a setting.
type Flag struct {
	Name    string // without dashes: "local-username"
	Setting string // "local_username"
	Usage   string
	Bool    bool
}

// Flags lists the command-line flag of every setting.
func Flags() []Flag {
	flags := make([]Flag, 0, len(table))
	for _, s := range table {
		flags = append(flags, Flag{Name: flagName(s.name), Setting: s.name, Usage: s.want, Bool: s.bool})
	}
	return flags
}

// Inputs lists every Action input and plugin setting name the settings
// answer to, the official action's aliases included.
func Inputs() []string {
	var names []string
	for _, s := range table {
		names = append(names, s.name)
		names = append(names, s.aliases...)
	}
	return names
}

func flagName(name string) string { return strings.ReplaceAll(name, "_", "-") }

// where tells a user every way to set a setting, for error messages.
func (s setting) where() string {
	return "--" + flagName(s.name) + ", " + strings.Join(s.vars, " or ") + ", or the input " + s.name
}
