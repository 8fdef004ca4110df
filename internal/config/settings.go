package config

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rollbar-deploy/rollbar-deploy/internal/ci"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// Settings are the resolved values, one field for each row of Table, in its
// order (go-envconfig decodes them in field order, so the first bad value in
// the table is the one reported). A field's env tag names its row and holds
// its default; its type checks and parses the value (a go-envconfig Decoder).
type Settings struct {
	Environment         EnvironmentName  `env:"environment"`
	Revision            RevisionID       `env:"revision"`
	Status              rollbar.Status   `env:"status,default=succeeded"`
	LocalUsername       Text             `env:"local_username"`
	RollbarUsername     Text             `env:"rollbar_username"`
	Comment             string           `env:"comment"`
	DeployID            rollbar.DeployID `env:"deploy_id"`
	AccessToken         Token            `env:"access_token"`
	ReadAccessToken     Token            `env:"read_access_token"`
	SourceMaps          string           `env:"source_maps"`
	MinifiedURLs        string           `env:"minified_urls"`
	URLPrefix           URL              `env:"url_prefix"`
	WatchFor            Duration         `env:"watch_for"`
	WatchInterval       Interval         `env:"watch_interval,default=30s"`
	WatchLevels         Levels           `env:"watch_levels,default=error,critical"`
	MaxNewItems         Count            `env:"max_new_items,default=0"`
	MaxReactivatedItems Count            `env:"max_reactivated_items,default=0"`
	FailOnError         Policy           `env:"fail_on_error,default=config"`
	APIURL              BaseURL          `env:"api_url,default=https://api.rollbar.com"`
	Timeout             Duration         `env:"timeout,default=30s"`
	DryRun              Bool             `env:"dry_run"`
	Dotenv              string           `env:"dotenv"`
	CI                  CIName           `env:"ci"`
	Verbose             Bool             `env:"verbose"`
}

// fields are Settings' fields by setting name, and defaults their
// defaults, read once from the tags.
var fields, defaults = func() (map[Name]int, map[Name]string) {
	index, def := map[Name]int{}, map[Name]string{}
	t := reflect.TypeFor[Settings]()
	for i := range t.NumField() {
		name, opts, _ := strings.Cut(t.Field(i).Tag.Get("env"), ",")
		index[Name(name)] = i
		if d, ok := strings.CutPrefix(opts, "default="); ok {
			def[Name(name)] = d
		}
	}
	return index, def
}()

// shown is a setting's value as the dry run and --verbose show it.
func (s *Settings) shown(name Name) string {
	return fmt.Sprint(reflect.ValueOf(s).Elem().Field(fields[name]).Interface())
}

// Limits Rollbar enforces on a deploy's fields.
const (
	maxField   = 255
	maxComment = 64 << 10
)

// problem is a value's problem, with its own fix where the setting's Want
// is not the fix.
type problem struct{ msg, fix string }

func (p *problem) Error() string { return p.msg }

func invalid(format string, args ...any) error { return &problem{msg: fmt.Sprintf(format, args...)} }

// Text is a deploy's text field: Rollbar accepts at most 255 characters.
type Text string

// EnvDecode implements envconfig.Decoder.
func (t *Text) EnvDecode(v string) error {
	if n := utf8.RuneCountInString(v); n > maxField {
		return invalid("is %d characters long: Rollbar accepts at most %d", n, maxField)
	}
	*t = Text(v)
	return nil
}

// EnvironmentName is a deploy's environment. It refuses what no later step
// could be handed: the id's environment goes into files CIs read line by
// line.
type EnvironmentName string

// EnvDecode implements envconfig.Decoder.
func (e *EnvironmentName) EnvDecode(v string) error {
	switch {
	case strings.ContainsFunc(v, unicode.IsControl):
		return &problem{"has a line break or a control character", "use a name such as production"}
	case unexpanded(v):
		return &problem{"looks like an expression the CI did not expand",
			"check its spelling, or pass a name such as production"}
	}
	return (*Text)(e).EnvDecode(v)
}

// RevisionID is the deployed revision. It refuses what is certainly not the
// deployed commit: a ref or branch name git would resolve to another commit
// tomorrow, or a CI expression nobody expanded. A commit SHA is kept in
// git's lower case, the form SDKs report as code_version.
type RevisionID string

// EnvDecode implements envconfig.Decoder.
func (r *RevisionID) EnvDecode(v string) error {
	fix := "pass the commit SHA, such as $(git rev-parse HEAD)"
	switch {
	case strings.ContainsFunc(v, unicode.IsControl):
		return &problem{"has a line break or a control character", fix}
	case headRef(v):
		return &problem{"is the literal HEAD", fix}
	case refName(v):
		return &problem{"is a branch or ref name, not a commit", fix}
	case unexpanded(v):
		return &problem{"looks like an expression the CI did not expand", "check its spelling, or pass the commit SHA"}
	case hexSHA(v):
		v = strings.ToLower(v)
	}
	return (*Text)(r).EnvDecode(v)
}

var (
	headRef = regexp.MustCompile(`^(?i)head([~^@].*)?$`).MatchString
	hexSHA  = regexp.MustCompile(`^[0-9a-fA-F]{7,64}$`).MatchString
)

// refName reports a full ref (refs/heads/main), a remote branch
// (origin/main) or a default branch's name, as ${{ github.ref_name }} and
// the like give; the branch the CI builds is refused too (Resolve).
func refName(v string) bool {
	return strings.HasPrefix(v, "refs/") || strings.HasPrefix(v, "origin/") ||
		slices.Contains([]string{"main", "master", "develop", "development", "trunk", "default"}, strings.ToLower(v))
}

// CIName is the ci setting: a provider's id, or none.
type CIName string

// EnvDecode implements envconfig.Decoder.
func (c *CIName) EnvDecode(v string) error {
	if v != "" && !slices.Contains(ci.IDs(), strings.ToLower(v)) {
		return &problem{"names no CI rollbar-deploy knows", "use one of " + strings.Join(ci.IDs(), ", ")}
	}
	*c = CIName(strings.ToLower(v))
	return nil
}

// unexpanded matches a CI's expression left in a value: GitHub's ${{ }}, a
// shell's ${…}, $(…) and $NAME (Azure's $(…) and $[ ] too), GitLab's
// $[[ ]], and cmd's or TeamCity's %name%, %env.NAME%. "US$", "a$b", "prod$1"
// and "100%" are no expressions.
var unexpanded = regexp.MustCompile(`\$[{(\[]|\$[A-Z_][A-Z0-9_]*|%[A-Za-z_][A-Za-z0-9_.]*%`).MatchString

// Token is an access token. It refuses what no HTTP header can carry,
// before a request fails on it as if Rollbar were down.
type Token string

// EnvDecode implements envconfig.Decoder.
func (t *Token) EnvDecode(v string) error {
	if strings.ContainsFunc(v, func(r rune) bool {
		return unicode.IsControl(r) || unicode.IsSpace(r) || r > unicode.MaxASCII
	}) {
		return &problem{"has a space, a control or a non-ASCII character",
			"copy the token again from Rollbar's project settings"}
	}
	*t = Token(v)
	return nil
}

// Duration is a positive duration.
type Duration time.Duration

// EnvDecode implements envconfig.Decoder.
func (d *Duration) EnvDecode(v string) error {
	parsed, err := time.ParseDuration(v)
	switch {
	case err != nil:
		return invalid("is not a duration")
	case parsed <= 0:
		return invalid("is not positive")
	}
	*d = Duration(parsed)
	return nil
}

func (d Duration) String() string { return time.Duration(d).String() }

// Interval is how often to ask Rollbar: 1s or more, since faster asks more
// than it learns, and spends the token's rate limit.
type Interval time.Duration

// EnvDecode implements envconfig.Decoder.
func (i *Interval) EnvDecode(v string) error {
	if d, err := time.ParseDuration(v); err == nil && d < time.Second {
		return invalid("is under 1s")
	}
	return (*Duration)(i).EnvDecode(v)
}

func (i Interval) String() string { return time.Duration(i).String() }

// Count is a whole number, 0 or more.
type Count int

// EnvDecode implements envconfig.Decoder.
func (c *Count) EnvDecode(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return invalid("is not a whole number, 0 or more")
	}
	*c = Count(n)
	return nil
}

// Bool is true or false, in any spelling strconv.ParseBool reads.
type Bool bool

// EnvDecode implements envconfig.Decoder.
func (b *Bool) EnvDecode(v string) error {
	parsed, err := strconv.ParseBool(v)
	if err != nil {
		return invalid("is not true or false")
	}
	*b = Bool(parsed)
	return nil
}

// Levels are item levels Rollbar knows, given comma- or space-separated.
type Levels []string

// EnvDecode implements envconfig.Decoder.
func (l *Levels) EnvDecode(v string) error {
	*l = nil
	for _, level := range strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return r == ',' || r == ' ' }) {
		if !slices.Contains(rollbar.Levels(), level) {
			return invalid("has the unknown level %q", level)
		}
		*l = append(*l, level)
	}
	if len(*l) == 0 {
		return invalid("names no level")
	}
	return nil
}

func (l Levels) String() string { return strings.Join(l, ",") }

// URL is an absolute URL: a scheme and a host.
type URL string

// EnvDecode implements envconfig.Decoder.
func (u *URL) EnvDecode(v string) error {
	if parsed, err := url.Parse(v); err != nil || parsed.Scheme == "" || parsed.Host == "" {
		return invalid("is not a URL with a scheme and a host")
	}
	*u = URL(v)
	return nil
}

// BaseURL is the base URL of Rollbar's API. It accepts one that ends in
// /api/1/… (what the Rollbar Heroku add-on sets as ROLLBAR_ENDPOINT), and
// keeps the base.
type BaseURL string

// EnvDecode implements envconfig.Decoder.
func (b *BaseURL) EnvDecode(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return invalid("does not parse as a URL")
	case u.Scheme != "http" && u.Scheme != "https" || u.Host == "":
		return invalid("needs http:// or https:// and a host")
	case u.User != nil:
		return invalid("has credentials in it: set the access token instead")
	}
	if i := apiPath(u.Path); i >= 0 {
		u.Path = u.Path[:i]
	}
	u.RawQuery, u.Fragment = "", ""
	*b = BaseURL(strings.TrimRight(u.String(), "/"))
	return nil
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
