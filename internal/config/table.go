// Package config resolves the settings of a run from every place a user or a
// CI may put them, remembering where each value came from.
//
// Every setting is one row of Table and one field of Settings. The first
// non-empty value wins, in this order: command-line flag, GitHub Action input
// (INPUT_*), Drone/Woodpecker plugin setting (PLUGIN_*), the tool's own
// variables (ROLLBAR_*), what the CI provider tells, git, the default (the
// field's tag). go-envconfig decodes the values into Settings, each field's
// type checking its own.
package config

import (
	"strings"

	"github.com/rollbar-deploy/rollbar-deploy/internal/ci"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
)

// Name is a setting's name: its Action input and plugin setting, and with
// - for _ its flag. Code names settings by these constants, which the
// compiler checks, never by a string.
type Name string

// The settings' names, in the table's order.
const (
	Environment         Name = "environment"
	Revision            Name = "revision"
	Status              Name = "status"
	LocalUsername       Name = "local_username"
	RollbarUsername     Name = "rollbar_username"
	Comment             Name = "comment"
	DeployID            Name = "deploy_id"
	AccessToken         Name = "access_token"
	ReadAccessToken     Name = "read_access_token"
	SourceMaps          Name = "source_maps"
	MinifiedURLs        Name = "minified_urls"
	URLPrefix           Name = "url_prefix"
	WatchFor            Name = "watch_for"
	WatchInterval       Name = "watch_interval"
	WatchLevels         Name = "watch_levels"
	MaxNewItems         Name = "max_new_items"
	MaxReactivatedItems Name = "max_reactivated_items"
	FailOnError         Name = "fail_on_error"
	APIURL              Name = "api_url"
	Timeout             Name = "timeout"
	DryRun              Name = "dry_run"
	Dotenv              Name = "dotenv"
	CI                  Name = "ci"
	Verbose             Name = "verbose"
)

// Setting is one row of the table: every name it answers to, what a valid
// value looks like, and the CI's and git's word for it. What a value may be
// is its field's type's to say (settings.go).
type Setting struct {
	Name    Name
	Aliases []string // further input names (rollbar/github-deploy-action's, for a drop-in)
	Vars    []string // the tool's own variables
	Flags   []string // further flag spellings users type ("env", "e")
	Help    string   // what the setting is, for help, the reference and action.yml
	Want    string   // what a valid value looks like, for help and errors
	Secret  bool
	Bool    bool // a flag that takes no value

	ci        func(ci.Info) ci.Field
	keys      func(in Input, keys []string) []string // the variables to look in, where they differ by run
	git       func(git.Commit) string
	gitSource string
}

// Flag is the setting's main command-line flag, without dashes.
func (s Setting) Flag() string { return strings.ReplaceAll(string(s.Name), "_", "-") }

// Default is the value a setting has when nothing sets it: its field's
// default tag.
func (s Setting) Default() string { return defaults[s.Name] }

// gitHead is the source of a revision read from the checkout.
const gitHead = "git HEAD"

// Table lists every setting in the order help and the dry run show them.
var Table = []Setting{
	{Name: Environment, Vars: []string{"ROLLBAR_ENVIRONMENT", "ROLLBAR_ENV"}, Flags: []string{"env", "e"},
		Help: "the environment deployed to",
		Want: "a name such as production (at most 255 characters)",
		ci:   func(i ci.Info) ci.Field { return i.Environment }},
	{Name: Revision, Aliases: []string{"version"}, Vars: []string{"ROLLBAR_REVISION"},
		Help: "the revision deployed, as the application's Rollbar SDK reports it in code_version",
		Want: "a commit SHA (at most 255 characters)",
		ci:   func(i ci.Info) ci.Field { return i.Revision },
		git:  func(c git.Commit) string { return c.SHA }, gitSource: gitHead},
	{Name: Status, Vars: []string{"ROLLBAR_DEPLOY_STATUS"},
		Help: "the deploy's status (a final one after started updates the started deploy)",
		Want: "one of started, succeeded, failed, timed_out, skipped (or success, failure, error, cancelled)",
		ci:   func(i ci.Info) ci.Field { return i.Status }},
	{Name: LocalUsername, Vars: []string{"ROLLBAR_LOCAL_USERNAME"}, Help: "who deployed",
		Want: "a user name (at most 255 characters)",
		ci:   func(i ci.Info) ci.Field { return i.LocalUsername },
		git:  func(c git.Commit) string { return c.Committer }, gitSource: "git committer of HEAD"},
	{Name: RollbarUsername, Vars: []string{"ROLLBAR_USERNAME"}, Help: "who deployed, as a Rollbar user",
		Want: "a Rollbar user name (at most 255 characters)"},
	{Name: Comment, Vars: []string{"ROLLBAR_COMMENT"},
		Help: "a comment shown with the deploy, such as the URL of the CI run",
		Want: "text (at most 64 KiB)",
		ci:   func(i ci.Info) ci.Field { return i.Comment }},
	{Name: DeployID, Vars: []string{"ROLLBAR_DEPLOY_ID"},
		Help: "the deploy to update instead of recording a new one (watch: the deploy whose start it counts from)",
		Want: "a positive deploy id such as 45306460",
		// A CI may carry the user's id in a variable of its own. (An id the
		// tool handed a later step is no setting: internal/handoff hides it.)
		keys: func(in Input, keys []string) []string { return append(keys, in.CI.DeployIDVars...) }},
	{Name: AccessToken, Vars: []string{"ROLLBAR_ACCESS_TOKEN"}, Secret: true,
		Help: "the token that records deploys and uploads source maps",
		Want: "a project access token with the post_server_item scope"},
	{Name: ReadAccessToken, Vars: []string{"ROLLBAR_READ_ACCESS_TOKEN"}, Secret: true,
		Help: "the token that reads deploys for get, list, watch and the check against recording one twice " +
			"(default: the access token)",
		Want: "a project access token with the read scope"},
	{Name: SourceMaps, Aliases: []string{"source_map"}, Vars: []string{"ROLLBAR_SOURCE_MAPS"},
		Help: "JavaScript source maps to upload for the revision",
		Want: "space-separated .map files, directories or globs " +
			"(a path with a space: one a line; a plugin setting: commas too)"},
	{Name: MinifiedURLs, Aliases: []string{"minified_url"}, Vars: []string{"ROLLBAR_MINIFIED_URLS"},
		Help: "the URLs of the minified files, for source maps given as files",
		Want: "space-separated URLs, one for each source map (a plugin setting: commas too)"},
	{Name: URLPrefix, Vars: []string{"ROLLBAR_URL_PREFIX"},
		Help: "where the minified files are served, for source maps given as directories or globs",
		Want: "a URL such as https://example.com/static/"},
	{Name: WatchFor, Vars: []string{"ROLLBAR_WATCH_FOR"},
		Help: "how long to watch the new version for new errors (watch: default 10m; record: unset = no watch)",
		Want: "a duration such as 10m"},
	{Name: WatchInterval, Vars: []string{"ROLLBAR_WATCH_INTERVAL"},
		Help: "how often the watch asks Rollbar",
		Want: "a duration of 1s or more, such as 30s"},
	{Name: WatchLevels, Vars: []string{"ROLLBAR_WATCH_LEVELS"},
		Help: "the item levels the watch counts",
		Want: "comma-separated levels among debug, info, warning, error, critical"},
	{Name: MaxNewItems, Vars: []string{"ROLLBAR_MAX_NEW_ITEMS"},
		Help: "how many new items the gate tolerates",
		Want: "a count, 0 or more"},
	{Name: MaxReactivatedItems, Vars: []string{"ROLLBAR_MAX_REACTIVATED_ITEMS"},
		Help: "how many reactivated items the gate tolerates",
		Want: "a count, 0 or more"},
	{Name: FailOnError, Vars: []string{"ROLLBAR_FAIL_ON_ERROR"},
		Help: "what fails a run (config fails on what you must fix and only warns on an outage, " +
			"always fails on any failure, never only warns)",
		Want: "one of config, always, never (or true, false)",
		ci: func(i ci.Info) ci.Field {
			if i.FailOnError == "" {
				return ci.Field{}
			}
			return ci.Field{Value: i.FailOnError, Source: i.Provider + " default"}
		}},
	{Name: APIURL, Vars: []string{"ROLLBAR_API_URL", "ROLLBAR_ENDPOINT"},
		Help: "Rollbar's API",
		Want: "an http(s) URL such as https://api.rollbar.com"},
	{Name: Timeout, Vars: []string{"ROLLBAR_TIMEOUT"},
		Help: "how long the requests may take, retries included (a watch has its own window)",
		Want: "a duration such as 30s or 2m"},
	{Name: DryRun, Vars: []string{"ROLLBAR_DRY_RUN"}, Bool: true,
		Help: "show what would be sent and where each value came from, send nothing (no token needed)",
		Want: "true or false"},
	{Name: Dotenv, Vars: []string{"ROLLBAR_DOTENV"},
		Help: "a file to write ROLLBAR_DEPLOY_ID and ROLLBAR_DEPLOY_URL to, for GitLab's dotenv report",
		Want: "a file path such as deploy.env"},
	{Name: CI, Vars: []string{"ROLLBAR_CI"},
		Help: "the CI this runs in, detected when unset; set it where detection is wrong (none: a plain CLI)",
		Want: "one of " + strings.Join(ci.IDs(), ", "),
		ci: func(i ci.Info) ci.Field {
			if i.ID == "" {
				return ci.Field{}
			}
			return ci.Field{Value: i.ID, Source: "detected"}
		}},
	{Name: Verbose, Vars: []string{"ROLLBAR_VERBOSE"}, Bool: true,
		Help: "log every request and where each setting came from (never a token)",
		Want: "true or false"},
}

// Row is the table's row of setting n.
func (n Name) Row() Setting {
	for _, s := range Table {
		if s.Name == n {
			return s
		}
	}
	return Setting{Name: n} // no Name constant lacks a row (TestSettingsFollowTable)
}

// Inputs lists every Action input and plugin setting name the settings
// answer to, rollbar/github-deploy-action's aliases included.
func Inputs() []string {
	var names []string
	for _, s := range Table {
		names = append(append(names, string(s.Name)), s.Aliases...)
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
		for _, n := range append([]string{string(s.Name)}, s.Aliases...) {
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
	return "--" + s.Flag() + ", " + strings.Join(s.Vars, " or ") +
		", or the Action input or plugin setting " + string(s.Name)
}
