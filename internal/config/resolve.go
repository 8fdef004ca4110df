package config

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/sethvargo/go-envconfig"

	"github.com/rollbar-deploy/rollbar-deploy/internal/ci"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// Input is everything settings are resolved from.
type Input struct {
	Flags  map[Name]string // as given on the command line
	Getenv func(string) string
	// Environ lists the variables (NAME=value, as os.Environ), for warnings
	// about misspelt ones.
	Environ []string
	CI      ci.Info
	// Git reads the checkout's HEAD commit; nil where there is none. It is
	// called at most once, and only when nothing else tells the revision or
	// the committer.
	Git func() (git.Commit, error)
}

// Config is the resolved settings with the source of each value.
type Config struct {
	Settings
	CI       ci.Info
	Sources  map[Name]string // "--environment", "ROLLBAR_ENV", "GITHUB_SHA", "default", …
	Warnings []string
	// Doubts are warnings about one setting's value as a deploy would use it
	// (it is not what the CI tells; HEAD has uncommitted changes): only a
	// command that uses that setting for a deploy has them to say.
	Doubts []Doubt
	gitErr error
	// tokenInURL is where api_url came from when its query carries an
	// access_token (a Heroku deploy hook's URL, pasted whole): that token
	// is never sent, and a missing token's error says where it is.
	tokenInURL string
}

// Doubt is a warning about the value of Setting.
type Doubt struct {
	Setting Name
	Warning string
}

// Source tells where a setting's value came from ("" when it is unset).
func (c *Config) Source(name Name) string { return c.Sources[name] }

// ReadCI reads what the CI tells: the one the ci setting names (ROLLBAR_CI; none
// for a plain CLI) or, unset, the one detected from getenv, the process's own
// environment.
func ReadCI(in Input, getenv ci.Getenv, readFile ci.ReadFile) (ci.Info, error) {
	s := CI.Row()
	source, name := find(in, s)
	info, err := ci.Select(name, getenv, readFile)
	if err != nil {
		fix, best, closest := "use one of "+strings.Join(ci.IDs(), ", "), "", 3
		for _, id := range ci.IDs() {
			if d := Distance(strings.ToLower(name), id); d < closest {
				best, closest = id, d
			}
		}
		if best != "" {
			fix = "did you mean " + best + "? " + fix
		}
		return info, &Error{
			Setting: string(s.Name), Source: source, Value: name, Problem: "names no CI rollbar-deploy knows", Fix: fix,
		}
	}
	return info, nil
}

// Resolve reads every setting and checks each value on its own; what a
// command needs on top (Require) is the command's to ask. With an error, the
// Config still carries the warnings, which may explain it.
func Resolve(in Input) (*Config, error) {
	c := &Config{CI: in.CI, Sources: map[Name]string{}, Warnings: misspelt(in.Environ)}
	in = c.passForeignIDs(in)
	l := &lookuper{in: in, sources: c.Sources, values: map[Name]string{}}
	err := envconfig.ProcessWith(context.Background(), &envconfig.Config{
		Target:   &c.Settings,
		Lookuper: l,
		// An unset setting stays its zero value: go-envconfig v1.4.3 would
		// otherwise call a field's decoder with "" (its decodeunset option
		// only covers struct fields), and "" is no deploy id, duration, ….
		DefaultNoInit: true,
		Mutators:      []envconfig.Mutator{envconfig.MutatorFunc(l.defaulted)},
	})
	c.gitErr = l.gitErr
	if source, v := find(in, APIURL.Row()); v != "" {
		if u, err := url.Parse(v); err == nil && u.Query().Get("access_token") != "" {
			c.tokenInURL = source
		}
	}
	if err != nil {
		return c, l.explain(err)
	}
	c.Doubts = c.disagreements()
	if l.commit != nil && l.commit.Dirty && c.Sources[Revision] == gitHead {
		c.Doubts = append(c.Doubts, Doubt{Revision, fmt.Sprintf("the work tree has uncommitted changes to tracked files: "+
			"revision %s (%s) is not exactly what is deployed; commit them first", c.Revision, gitHead)})
	}
	if len(c.Comment) > maxComment {
		c.Comment = cutAtRune(c.Comment, maxComment)
		c.Warnings = append(c.Warnings, fmt.Sprintf("comment (from %s) is longer than Rollbar's 64 KiB: cut to %d bytes",
			c.Sources[Comment], len(c.Comment)))
	}
	if b := in.CI.Branch.Value; b != "" && string(c.Revision) == b && c.Sources[Revision] != in.CI.Revision.Source {
		return c, &Error{Setting: string(Revision), Source: c.Sources[Revision], Value: b,
			Problem: "is the branch " + in.CI.Provider + " builds, not a commit",
			Fix:     "pass the commit SHA, or leave revision out: " + in.CI.Provider + " tells it"}
	}
	return c, nil
}

// passForeignIDs hides a CI's own deploy-id variable (ci.Info.DeployIDVars)
// that holds no Rollbar deploy id: GitHub's DEPLOY_ID is read because
// Rollbar's official action passed a deploy on in it, but a job's own deploy
// tool may export a DEPLOY_ID of its own (d-4X8Z2Q1AB). That is not the
// user asking to update a deploy, so it is passed over with a warning; the
// tool's own variables, flag and input stay an error when invalid.
func (c *Config) passForeignIDs(in Input) Input {
	hidden := map[string]bool{}
	for _, key := range in.CI.DeployIDVars {
		v := get(in, key)
		if _, err := rollbar.ParseDeployID(v); v == "" || err == nil {
			continue
		}
		hidden[key] = true
		if len(v) > 40 {
			v = cutAtRune(v, 40) + "…"
		}
		c.Warnings = append(c.Warnings, fmt.Sprintf("%s is %q, not a Rollbar deploy id (another tool's?): passed over; "+
			"to update a deploy, give its id as %s", key, v, DeployID.Row().Where()))
	}
	if len(hidden) == 0 {
		return in
	}
	getenv := in.Getenv
	in.Getenv = func(key string) string {
		if hidden[key] {
			return ""
		}
		return getenv(key)
	}
	return in
}

// disagreements warns where a value set explicitly is not what the CI
// tells for this run (a plugin's environment in a promotion to another, a
// revision that is not the event's commit, a succeeded step after the build
// failed): the user's value wins, but a deploy recorded wrong is hard to see
// afterwards.
func (c *Config) disagreements() []Doubt {
	var out []Doubt
	for _, name := range []Name{Environment, Revision, Status} {
		told, source := name.Row().ci(c.CI), c.Sources[name]
		value := c.shown(name)
		if told.Value == "" || source == told.Source || source == "default" || agree(name, value, told.Value) {
			continue
		}
		out = append(out, Doubt{name, fmt.Sprintf("%s %s (from %s) is not what %s tells for this run, %s (from %s): "+
			"%s is used; leave %s unset to use %s's", name, value, source, c.CI.Provider, told.Value, told.Source,
			value, name, c.CI.Provider)})
	}
	return out
}

// agree reports a value that says what the CI told: a short SHA of its
// commit; a status where either is no outcome yet (a started step) or both
// are the same outcome.
func agree(name Name, value, told string) bool {
	switch name {
	case Revision:
		return hexSHA(value) && len(value) < len(told) && strings.HasPrefix(strings.ToLower(told), value) ||
			strings.EqualFold(value, told)
	case Status:
		outcome, err := rollbar.ParseStatus(told)
		return err != nil || !outcome.Final() || value == string(rollbar.Started) || value == string(outcome)
	}
	return value == told
}

// lookuper is go-envconfig's Lookuper of settings by name: it walks a
// setting's sources in the table's order, blank counting as unset, and
// notes where each value came from.
type lookuper struct {
	in      Input
	sources map[Name]string
	values  map[Name]string // as found, for errors
	// last is the setting go-envconfig is decoding: it decodes each right
	// after looking it up.
	last   Name
	commit *git.Commit
	gitErr error
}

func (l *lookuper) Lookup(key string) (string, bool) {
	name := Name(key)
	l.last = name
	s := name.Row()
	source, value := find(l.in, s)
	if value == "" && s.git != nil && l.in.Git != nil {
		if l.commit == nil {
			got, err := l.in.Git()
			l.commit, l.gitErr = &got, err
		}
		source, value = s.gitSource, s.git(*l.commit)
	}
	if value == "" {
		return "", false
	}
	l.sources[name], l.values[name] = source, value
	return value, true
}

// defaulted notes a default's source: go-envconfig runs mutators on every
// value it decodes, defaults included, and a value the lookuper found has
// its source already.
func (l *lookuper) defaulted(_ context.Context, key, _, _, value string) (string, bool, error) {
	if _, found := l.sources[Name(key)]; !found {
		l.sources[Name(key)] = "default"
	}
	return value, false, nil
}

// explain makes a decoding error an *Error naming the setting, where its
// value came from, and the fix.
func (l *lookuper) explain(err error) error {
	s := l.last.Row()
	if cause := errors.Unwrap(err); cause != nil {
		err = cause // go-envconfig puts the field's name before a decoder's error
	}
	e := &Error{Setting: string(s.Name), Source: l.sources[s.Name], Problem: err.Error(), Fix: "use " + s.Want}
	if p := (*problem)(nil); errors.As(err, &p) {
		e.Problem = p.msg
		if p.fix != "" {
			e.Fix = p.fix
		}
	}
	if !s.Secret {
		e.Value = redactURL(l.values[s.Name])
	}
	return e
}

// find walks a setting's sources in order. Blank counts as unset
// everywhere, since the Actions runner sets every declared input, "" when not
// given.
func find(in Input, s Setting) (source, value string) {
	if v := strings.TrimSpace(in.Flags[s.Name]); v != "" {
		return "--" + s.Flag(), v
	}
	keys := s.envKeys()
	if s.keys != nil {
		keys = s.keys(in, keys)
	}
	for _, key := range keys {
		if v := get(in, key); v != "" {
			return key, v
		}
	}
	if s.ci != nil {
		if f := s.ci(in.CI); f.Value != "" {
			return f.Source, f.Value
		}
	}
	return "", ""
}

func get(in Input, key string) string {
	if in.Getenv == nil {
		return ""
	}
	return strings.TrimSpace(in.Getenv(key))
}

// FailurePolicy resolves fail_on_error alone, for a run whose other
// settings do not resolve: a user who asked never to fail the deploy is heard
// even when another setting is wrong. An unusable value falls back to the
// CI's default.
func FailurePolicy(in Input) Policy {
	_, v := find(in, FailOnError.Row())
	if p, err := ParsePolicy(v); err == nil {
		return p
	}
	if p, err := ParsePolicy(in.CI.FailOnError); err == nil {
		return p
	}
	return FailOnConfig
}

// redactURL hides a password a value carries as a URL's user info, and its
// query, where users paste ?access_token=…: an error shows the value, and a
// CI log is no place for either.
func redactURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.User == nil && u.RawQuery == "" {
		return v
	}
	if u.RawQuery != "" {
		u.RawQuery = "***"
	}
	return u.Redacted()
}

func cutAtRune(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Require checks that the named settings are set, with an error that tells
// every way to set the first one missing.
func (c *Config) Require(names ...Name) error {
	for _, name := range names {
		if c.Sources[name] != "" {
			continue
		}
		e := &Error{Setting: string(name), Problem: "is not set", Fix: "set " + name.Row().Where()}
		switch name {
		case AccessToken:
			e.Setting, e.Fix = "ROLLBAR_ACCESS_TOKEN", "set it to a Rollbar project access token with the "+
				"post_server_item scope (or pass --access-token, or the input access_token)"
			if c.tokenInURL != "" {
				e.Fix += "; the access_token in the query of api_url (from " + c.tokenInURL + ") is not read, " +
					"as a URL carries it into logs: set ROLLBAR_ACCESS_TOKEN to it instead"
			}
			if c.CI.SecretsHint != "" {
				e.Fix += "; " + c.CI.SecretsHint
			}
		case Revision:
			if c.CI.RevisionHint != "" {
				e.Fix += " (" + c.CI.RevisionHint + ")"
			} else if c.gitErr != nil {
				e.Fix += " (no git commit to read it from: " + c.gitErr.Error() + ")"
			}
		case Environment:
			if c.CI.Provider != "" {
				e.Fix += " (" + c.CI.Provider + " did not tell it in this job)"
			}
		}
		return e
	}
	return nil
}

// ReadToken is the token for reads: the read token, else the access token
// (which may carry both scopes).
func (c *Config) ReadToken() string {
	if c.ReadAccessToken != "" {
		return string(c.ReadAccessToken)
	}
	return string(c.AccessToken)
}

// Secrets returns every token value a user may have given, wherever it is,
// for masking before anything else is printed.
func Secrets(flags map[Name]string, getenv func(string) string) []string {
	var out []string
	in := Input{Flags: flags, Getenv: getenv}
	for _, s := range Table {
		if !s.Secret {
			continue
		}
		if v := strings.TrimSpace(flags[s.Name]); v != "" {
			out = append(out, v)
		}
		for _, key := range s.envKeys() {
			if v := get(in, key); v != "" {
				out = append(out, v)
			}
		}
	}
	// An API URL may carry a token in its query (?access_token=…) or a
	// password: either is a secret like the tokens.
	urls := []string{flags[APIURL]}
	for _, key := range APIURL.Row().envKeys() {
		urls = append(urls, get(in, key))
	}
	for _, v := range urls {
		u, err := url.Parse(strings.TrimSpace(v))
		if err != nil {
			continue
		}
		for _, values := range u.Query() {
			for _, q := range values {
				if len(q) >= 8 {
					out = append(out, q)
				}
			}
		}
		if p, ok := u.User.Password(); ok && p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Value is one setting as the dry run shows it.
type Value struct {
	Name   Name   `json:"-"`
	Value  string `json:"value"`
	Source string `json:"source,omitempty"`
}

// Values lists the named settings (every one when none is named) in table
// order with their values and sources; tokens show as *** when set.
func (c *Config) Values(names ...Name) []Value {
	var out []Value
	for _, s := range Table {
		if len(names) > 0 && !slices.Contains(names, s.Name) {
			continue
		}
		v := Value{Name: s.Name, Source: c.Sources[s.Name]}
		switch {
		case v.Source == "":
		case s.Secret:
			v.Value = "***"
		default:
			v.Value = c.shown(s.Name)
		}
		out = append(out, v)
	}
	return out
}

// misspelt warns about variables that are almost a setting's: a setting
// that is silently not set is the hardest mistake to see in a CI log.
func misspelt(environ []string) []string {
	known := map[string]bool{}
	for _, s := range Table {
		for _, k := range s.envKeys() {
			known[k] = true
		}
	}
	var warnings []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		head, _, _ := strings.Cut(name, "_")
		prefix := head + "_"
		if known[name] || prefix != "ROLLBAR_" && prefix != "PLUGIN_" && prefix != "INPUT_" {
			continue
		}
		if s, key, ok := suggest(name, prefix); ok {
			warnings = append(warnings,
				fmt.Sprintf("%s is not a setting of rollbar-deploy: did you mean %s (%s)?", name, key, s.Name))
		}
	}
	return warnings
}

// suggest finds the setting a misspelt variable most likely meant: a small
// edit away, the same words with one missing (ROLLBAR_STATUS for
// ROLLBAR_DEPLOY_STATUS) or one more (ROLLBAR_ENVIRONMENT_NAME), or a word
// cut short (PLUGIN_ENV), or an input's other name (ROLLBAR_VERSION).
func suggest(name, prefix string) (Setting, string, bool) {
	best, bestKey, bestDist := Setting{}, "", 3
	for _, s := range Table {
		for _, key := range s.envKeys() {
			if !strings.HasPrefix(key, prefix) {
				continue
			}
			d := Distance(strings.ReplaceAll(name, "-", "_"), strings.ReplaceAll(key, "-", "_"))
			words := strings.TrimPrefix(name, prefix)
			switch {
			case slices.ContainsFunc(s.Aliases, func(a string) bool { return strings.EqualFold(a, words) }):
				d = 0 // ROLLBAR_VERSION: an input's other name, as a variable
			case strings.HasSuffix(key, "_"+words) || strings.HasPrefix(name, key+"_") ||
				words != name && len(words) >= 3 && strings.HasPrefix(key, name):
				d = min(d, 1)
			}
			if d < bestDist {
				best, bestKey, bestDist = s, key, d
			}
		}
	}
	return best, bestKey, bestKey != ""
}

// Distance is the optimal string alignment distance between a and b: edits
// with a swap of two neighbours counted as one, the commonest typo.
func Distance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
