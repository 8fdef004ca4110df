package config

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/ci"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
)

func getenv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func headCommit() (git.Commit, error) {
	return git.Commit{SHA: "1111111111111111111111111111111111111111", Committer: "Git Committer"}, nil
}

var drone = ci.Info{Provider: "Drone", ID: "drone", Revision: ci.Field{Value: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", Source: "DRONE_COMMIT_SHA"},
	Environment: ci.Field{Value: "staging", Source: "DRONE_DEPLOY_TO"}, Status: ci.Field{Value: "failure", Source: "DRONE_BUILD_STATUS"},
	Branch: ci.Field{Value: "release-2", Source: "DRONE_SOURCE_BRANCH"}}

var github = ci.Info{Provider: "GitHub Actions", ID: "github", DeployIDVars: []string{"DEPLOY_ID"},
	Revision:    ci.Field{Value: "cisha", Source: "GITHUB_SHA"},
	Environment: ci.Field{Value: "ci-env", Source: "GITHUB_EVENT_PATH deployment.environment"}}

// TestResolve shows where each value comes from: one row a rule of the
// order flag, input, plugin, variable, CI, git, default.
func TestResolve(t *testing.T) {
	t.Parallel()
	heroku := ci.Info{Provider: "Heroku", FailOnError: "never"}
	tests := []struct {
		name          string
		flags         map[Name]string
		env           map[string]string
		info          ci.Info
		setting       Name
		value, source string
	}{
		{"flag beats everything", map[Name]string{"environment": "flag"},
			map[string]string{"INPUT_ENVIRONMENT": "input", "PLUGIN_ENVIRONMENT": "plugin", "ROLLBAR_ENVIRONMENT": "var"}, github,
			"environment", "flag", "--environment"},
		{"input beats plugin", nil, map[string]string{"INPUT_ENVIRONMENT": "input", "PLUGIN_ENVIRONMENT": "plugin"}, github,
			"environment", "input", "INPUT_ENVIRONMENT"},
		{"blank input counts as unset", nil, map[string]string{"INPUT_ENVIRONMENT": "  ", "PLUGIN_ENVIRONMENT": "plugin"}, github,
			"environment", "plugin", "PLUGIN_ENVIRONMENT"},
		{"variable alias", nil, map[string]string{"ROLLBAR_ENV": "env-alias"}, github, "environment", "env-alias", "ROLLBAR_ENV"},
		{"CI when nothing else", nil, nil, github, "environment", "ci-env", "GITHUB_EVENT_PATH deployment.environment"},
		{"git after the CI", nil, nil, ci.Info{}, "revision", "1111111111111111111111111111111111111111", "git HEAD"},
		{"CI before git", nil, nil, github, "revision", "cisha", "GITHUB_SHA"},
		{"official action's version input", nil, map[string]string{"INPUT_VERSION": "v1.2.3"}, github, "revision", "v1.2.3", "INPUT_VERSION"},
		{"hyphenated input", nil, map[string]string{"INPUT_LOCAL-USERNAME": "dashed"}, github, "local_username", "dashed", "INPUT_LOCAL-USERNAME"},
		{"Drone keeps hyphens in plugin keys", nil, map[string]string{"PLUGIN_ROLLBAR-USERNAME": "drone"}, github, "rollbar_username", "drone", "PLUGIN_ROLLBAR-USERNAME"},
		{"git committer", nil, nil, ci.Info{}, "local_username", "Git Committer", "git committer of HEAD"},
		{"DEPLOY_ID where the CI says so", nil, map[string]string{"DEPLOY_ID": "42"}, github, "deploy_id", "42", "DEPLOY_ID"},
		{"a deploy URL names its id", map[Name]string{"deploy_id": "https://rollbar.com/deploy/42/"}, nil, github,
			"deploy_id", "42", "--deploy-id"},
		{"default status", nil, map[string]string{"INPUT_STATUS": ""}, github, "status", "succeeded", "default"},
		{"CI job word for status", nil, map[string]string{"INPUT_STATUS": "Failure"}, github, "status", "failed", "INPUT_STATUS"},
		{"Azure's job status", nil, map[string]string{"ROLLBAR_DEPLOY_STATUS": "SucceededWithIssues"}, github, "status", "succeeded", "ROLLBAR_DEPLOY_STATUS"},
		{"the CI's outcome is a final step's default", nil, nil, drone, "status", "failed", "DRONE_BUILD_STATUS"},
		{"GitHub's deployment state", nil, map[string]string{"INPUT_STATUS": "in_progress"}, github, "status", "started", "INPUT_STATUS"},
		{"GitHub's queued deployment", nil, map[string]string{"INPUT_STATUS": "queued"}, github, "status", "started", "INPUT_STATUS"},
		{"an upper-case SHA in git's case", nil, map[string]string{"ROLLBAR_REVISION": "0A1B2C3D"}, ci.Info{}, "revision", "0a1b2c3d", "ROLLBAR_REVISION"},
		{"a tag as given", nil, map[string]string{"ROLLBAR_REVISION": "V1.2.3"}, ci.Info{}, "revision", "V1.2.3", "ROLLBAR_REVISION"},
		{"the CI named", nil, map[string]string{"ROLLBAR_CI": "GitLab"}, github, "ci", "gitlab", "ROLLBAR_CI"},
		{"the CI detected", nil, nil, github, CI, "github", "detected"},
		{"Jenkins' build result", nil, map[string]string{"ROLLBAR_DEPLOY_STATUS": "ABORTED"}, github, "status", "failed", "ROLLBAR_DEPLOY_STATUS"},
		{"Heroku never fails the release", nil, nil, heroku, "fail_on_error", "never", "Heroku default"},
		{"explicit policy beats Heroku's", nil, map[string]string{"ROLLBAR_FAIL_ON_ERROR": "true"}, heroku, "fail_on_error", "always", "ROLLBAR_FAIL_ON_ERROR"},
		{"Heroku add-on endpoint cut to the base", nil, map[string]string{"ROLLBAR_ENDPOINT": "https://api.rollbar.com/api/1/item/"}, github,
			"api_url", "https://api.rollbar.com", "ROLLBAR_ENDPOINT"},
		{"a proxy path kept, /api/1 cut", nil, map[string]string{"ROLLBAR_API_URL": "https://proxy/rollbar/api/1"}, github, "api_url", "https://proxy/rollbar", "ROLLBAR_API_URL"},
		{"a host named api is no /api/1", nil, map[string]string{"ROLLBAR_API_URL": "http://api/1"}, github, "api_url", "http://api/1", "ROLLBAR_API_URL"},
		{"query and fragment dropped", nil, map[string]string{"ROLLBAR_API_URL": "https://x/?a=b#c"}, github, "api_url", "https://x", "ROLLBAR_API_URL"},
		{"/api/10 is no /api/1", nil, map[string]string{"ROLLBAR_API_URL": "https://x/api/10"}, github, "api_url", "https://x/api/10", "ROLLBAR_API_URL"},
		{"timeout", nil, map[string]string{"ROLLBAR_TIMEOUT": "2m"}, github, "timeout", "2m0s", "ROLLBAR_TIMEOUT"},
		{"watch levels", nil, map[string]string{"ROLLBAR_WATCH_LEVELS": "Warning, error"}, github, "watch_levels", "warning,error", "ROLLBAR_WATCH_LEVELS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Resolve(Input{Flags: tt.flags, Getenv: getenv(tt.env), CI: tt.info, Git: headCommit})
			require.NoError(t, err)
			assert.Equal(t, []Value{{Name: tt.setting, Value: tt.value, Source: tt.source}}, cfg.Values(tt.setting))
		})
	}
}

func TestResolveCallsGitOnlyForGaps(t *testing.T) {
	t.Parallel()
	calls := 0
	counting := func() (git.Commit, error) { calls++; return headCommit() }
	_, err := Resolve(Input{Getenv: getenv(map[string]string{"ROLLBAR_REVISION": "abc", "ROLLBAR_LOCAL_USERNAME": "me"}), Git: counting})
	require.NoError(t, err)
	assert.Zero(t, calls, "git runs only when no variable tells the revision or user")
	_, err = Resolve(Input{Getenv: getenv(nil), Git: counting})
	require.NoError(t, err)
	assert.Equal(t, 1, calls, "one git call serves both revision and committer")
}

// TestResolveInvalid: a value that cannot be used is an *Error naming the
// setting, where it came from and what to use.
func TestResolveInvalid(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 256)
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"ROLLBAR_ENVIRONMENT": long}, `environment "xxx`},
		{map[string]string{"INPUT_REVISION": long}, `(from INPUT_REVISION) is 256 characters long: Rollbar accepts at most 255`},
		{map[string]string{"ROLLBAR_REVISION": "HEAD"}, `revision "HEAD" (from ROLLBAR_REVISION) is the literal HEAD: pass the commit SHA`},
		{map[string]string{"ROLLBAR_REVISION": "${{ github.sha }}"}, `looks like an expression the CI did not expand`},
		{map[string]string{"INPUT_VERSION": "main"}, `revision "main" (from INPUT_VERSION) is a branch or ref name, not a commit: pass the commit SHA`},
		{map[string]string{"ROLLBAR_REVISION": "refs/heads/main"}, `revision "refs/heads/main" (from ROLLBAR_REVISION) is a branch or ref name`},
		{map[string]string{"ROLLBAR_REVISION": "origin/release"}, `is a branch or ref name`},
		{map[string]string{"ROLLBAR_REVISION": "HEAD~1"}, `is the literal HEAD`},
		{map[string]string{"ROLLBAR_CI": "gitlba"}, `ci "gitlba" (from ROLLBAR_CI) names no CI rollbar-deploy knows`},
		{map[string]string{"ROLLBAR_REVISION": "$CI_COMMIT_SHA"}, `looks like an expression the CI did not expand`},
		{map[string]string{"ROLLBAR_REVISION": "$(git rev-parse HEAD)"}, `looks like an expression the CI did not expand`},
		{map[string]string{"ROLLBAR_REVISION": "$[[ inputs.revision ]]"}, `looks like an expression the CI did not expand`},
		{map[string]string{"ROLLBAR_REVISION": "%CI_COMMIT_SHA%"}, `looks like an expression the CI did not expand`},
		{map[string]string{"ROLLBAR_ENVIRONMENT": "$DEPLOY_ENV"}, `environment "$DEPLOY_ENV" (from ROLLBAR_ENVIRONMENT) looks like an expression the CI did not expand: check its spelling, or pass a name such as production`},
		{map[string]string{"ROLLBAR_ENVIRONMENT": "${{ inputs.environment }}"}, `looks like an expression the CI did not expand`},
		{map[string]string{"ROLLBAR_ENVIRONMENT": "review/$CI_COMMIT_REF_SLUG"}, `looks like an expression the CI did not expand`},
		{map[string]string{"ROLLBAR_ENVIRONMENT": "eu-%REGION%"}, `looks like an expression the CI did not expand`},
		{map[string]string{"ROLLBAR_ENVIRONMENT": "$[variables.env]"}, `looks like an expression the CI did not expand`},
		{map[string]string{"ROLLBAR_REVISION": "%build.vcs.number%"}, `looks like an expression the CI did not expand`},
		{map[string]string{"ROLLBAR_DEPLOY_STATUS": "done"}, `status "done" (from ROLLBAR_DEPLOY_STATUS) is not a deploy status: use one of started, succeeded`},
		{map[string]string{"ROLLBAR_DEPLOY_ID": "abc"}, `deploy_id "abc" (from ROLLBAR_DEPLOY_ID) is not a deploy id: use a positive deploy id`},
		{map[string]string{"ROLLBAR_DEPLOY_ID": "0"}, `deploy_id "0" (from ROLLBAR_DEPLOY_ID) is not a deploy id`},
		{map[string]string{"ROLLBAR_DEPLOY_ID": "-4"}, `deploy_id "-4" (from ROLLBAR_DEPLOY_ID) is not a deploy id`},
		{map[string]string{"ROLLBAR_TIMEOUT": "soon"}, `timeout "soon" (from ROLLBAR_TIMEOUT) is not a duration: use a duration such as 30s`},
		{map[string]string{"ROLLBAR_TIMEOUT": "0s"}, `timeout "0s" (from ROLLBAR_TIMEOUT) is not positive`},
		{map[string]string{"INPUT_FAIL_ON_ERROR": "sometimes"}, `fail_on_error "sometimes" (from INPUT_FAIL_ON_ERROR) is not a failure policy: use one of config, always, never`},
		{map[string]string{"ROLLBAR_ACCESS_TOKEN": "tök"}, `access_token (from ROLLBAR_ACCESS_TOKEN) has a space, a control or a non-ASCII character`},
		{map[string]string{"ROLLBAR_WATCH_LEVELS": ","}, `watch_levels`},
		{map[string]string{"ROLLBAR_WATCH_INTERVAL": "1ms"}, `watch_interval "1ms" (from ROLLBAR_WATCH_INTERVAL) is under 1s: use a duration of 1s or more`},
		{map[string]string{"ROLLBAR_API_URL": "api.rollbar.com"}, `api_url "api.rollbar.com" (from ROLLBAR_API_URL) needs http:// or https:// and a host`},
		{map[string]string{"ROLLBAR_API_URL": "https://u:secret@api.rollbar.com"}, `api_url "https://u:xxxxx@api.rollbar.com" (from ROLLBAR_API_URL) has credentials in it`},
		{map[string]string{"ROLLBAR_ACCESS_TOKEN": "tok\x7fen"}, `access_token (from ROLLBAR_ACCESS_TOKEN) has a space, a control or a non-ASCII character: copy the token again`},
		{map[string]string{"ROLLBAR_DRY_RUN": "maybe"}, `dry_run "maybe" (from ROLLBAR_DRY_RUN) is not true or false`},
		{map[string]string{"ROLLBAR_WATCH_LEVELS": "errors"}, `watch_levels "errors" (from ROLLBAR_WATCH_LEVELS) has the unknown level "errors"`},
		{map[string]string{"ROLLBAR_MAX_NEW_ITEMS": "-1"}, `max_new_items "-1" (from ROLLBAR_MAX_NEW_ITEMS) is not a whole number, 0 or more`},
		{map[string]string{"ROLLBAR_ACCESS_TOKEN": "tok", "ROLLBAR_DEPLOY_ID": "tok"}, `deploy_id "tok"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			_, err := Resolve(Input{Getenv: getenv(tt.env), Git: headCommit})
			var cfgErr *Error
			require.True(t, errors.As(err, &cfgErr), "want a *config.Error, got %v", err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// TestDisagreements: a value set explicitly wins over what the CI tells,
// with a warning naming both; a short SHA of the CI's commit agrees with it.
func TestDisagreements(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"a plugin's environment in a promotion to another", map[string]string{"PLUGIN_ENVIRONMENT": "production"}, []string{
			"environment production (from PLUGIN_ENVIRONMENT) is not what Drone tells for this run, staging (from DRONE_DEPLOY_TO): " +
				"production is used; leave environment unset to use Drone's"}},
		{"a revision that is not the event's commit", map[string]string{"INPUT_VERSION": "1111111111111111111111111111111111111111"}, []string{
			"revision 1111111111111111111111111111111111111111 (from INPUT_VERSION) is not what Drone tells for this run, " +
				"0a1b2c3d4e5f60718293a4b5c6d7e8f901234567 (from DRONE_COMMIT_SHA): 1111111111111111111111111111111111111111 is used; " +
				"leave revision unset to use Drone's"}},
		{"a succeeded step after the build failed", map[string]string{"PLUGIN_STATUS": "success"}, []string{
			"status succeeded (from PLUGIN_STATUS) is not what Drone tells for this run, failure (from DRONE_BUILD_STATUS): " +
				"succeeded is used; leave status unset to use Drone's"}},
		{"a started step", map[string]string{"PLUGIN_STATUS": "started"}, nil},
		{"a failed step", map[string]string{"PLUGIN_STATUS": "failed"}, nil},
		{"a short SHA of the CI's commit", map[string]string{"ROLLBAR_REVISION": "0A1B2C3", "ROLLBAR_ENVIRONMENT": "staging"}, nil},
		{"nothing set", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Resolve(Input{Getenv: getenv(tt.env), CI: drone})
			require.NoError(t, err)
			var got []string
			for _, d := range cfg.Doubts {
				got = append(got, d.Warning)
			}
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := Resolve(Input{Getenv: getenv(map[string]string{"PLUGIN_REVISION": "release-2"}), CI: drone})
	assert.EqualError(t, err, `revision "release-2" (from PLUGIN_REVISION) is the branch Drone builds, not a commit: pass the commit SHA, or leave revision out: Drone tells it`)
}

// TestDirtyWorkTree: a revision read from a checkout with changes to
// tracked files is warned about; one a CI or the user gives is not git's.
func TestDirtyWorkTree(t *testing.T) {
	t.Parallel()
	dirty := func() (git.Commit, error) {
		return git.Commit{SHA: "1111111111111111111111111111111111111111", Dirty: true}, nil
	}
	cfg, err := Resolve(Input{Getenv: getenv(nil), Git: dirty})
	require.NoError(t, err)
	assert.Equal(t, []Doubt{{Revision, "the work tree has uncommitted changes to tracked files: revision " +
		"1111111111111111111111111111111111111111 (git HEAD) is not exactly what is deployed; commit them first"}}, cfg.Doubts)
	cfg, err = Resolve(Input{Getenv: getenv(map[string]string{"ROLLBAR_REVISION": "2222222"}), Git: dirty})
	require.NoError(t, err)
	assert.Empty(t, cfg.Doubts)
}

// TestForeignDeployID: a CI's own deploy-id variable (GitHub's DEPLOY_ID) that
// holds no Rollbar deploy id is another tool's, passed over with a warning; the
// tool's own variable stays an error.
func TestForeignDeployID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		id      string
		source  string
		warning string
		err     string
	}{
		{name: "another tool's id", env: map[string]string{"DEPLOY_ID": "d-4X8Z2Q1AB"},
			warning: `DEPLOY_ID is "d-4X8Z2Q1AB", not a Rollbar deploy id (another tool's?): passed over; ` +
				`to update a deploy, give its id as --deploy-id, ROLLBAR_DEPLOY_ID, or the Action input or plugin setting deploy_id`},
		{name: "zero", env: map[string]string{"DEPLOY_ID": "0"}, warning: `DEPLOY_ID is "0", not a Rollbar deploy id`},
		{name: "the user's id still counts", env: map[string]string{"DEPLOY_ID": "d-1", "ROLLBAR_DEPLOY_ID": "42"},
			id: "42", source: "ROLLBAR_DEPLOY_ID", warning: `DEPLOY_ID is "d-1"`},
		{name: "a Rollbar id", env: map[string]string{"DEPLOY_ID": "42"}, id: "42", source: "DEPLOY_ID"},
		{name: "the tool's own variable is no other tool's", env: map[string]string{"ROLLBAR_DEPLOY_ID": "d-1"},
			err: `deploy_id "d-1" (from ROLLBAR_DEPLOY_ID) is not a deploy id`},
		{name: "nor the input", env: map[string]string{"INPUT_DEPLOY_ID": "d-1", "DEPLOY_ID": "d-2"},
			err: `deploy_id "d-1" (from INPUT_DEPLOY_ID) is not a deploy id`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Resolve(Input{Getenv: getenv(tt.env), CI: github, Git: headCommit})
			if tt.err != "" {
				require.ErrorContains(t, err, tt.err)
				return
			}
			require.NoError(t, err)
			if tt.id == "" {
				assert.Empty(t, cfg.Values(DeployID)[0].Source)
			} else {
				assert.Equal(t, []Value{{Name: DeployID, Value: tt.id, Source: tt.source}}, cfg.Values(DeployID))
			}
			if tt.warning == "" {
				assert.Empty(t, cfg.Warnings)
			} else {
				require.Len(t, cfg.Warnings, 1)
				assert.Contains(t, cfg.Warnings[0], tt.warning)
			}
		})
	}
}

func TestResolveCutsLongComment(t *testing.T) {
	t.Parallel()
	comment := "x" + strings.Repeat("é", maxComment) // two bytes each after one: the cut falls inside a character
	cfg, err := Resolve(Input{Getenv: getenv(map[string]string{"ROLLBAR_COMMENT": comment})})
	require.NoError(t, err)
	assert.LessOrEqual(t, len(cfg.Comment), maxComment)
	assert.True(t, strings.HasPrefix(comment, cfg.Comment))
	assert.Equal(t, 1, len(cfg.Comment)%2, "cut at a character boundary")
	assert.Equal(t, []string{"comment (from ROLLBAR_COMMENT) is longer than Rollbar's 64 KiB: cut to 65535 bytes"}, cfg.Warnings)
}

func TestMisspelt(t *testing.T) {
	t.Parallel()
	cfg, err := Resolve(Input{Environ: []string{"ROLLBAR_STATUS=failed", "PLUGIN_STAUTS=x", "INPUT_ENVIROMENT=p",
		"PLUGIN_ENV=p", "ROLLBAR_ENVIRONMENT_NAME=p", "ROLLBAR_VERSION=abc", "ROLLBAR_ACCESS_TOKEN=t", "ROLLBAR_SOMETHING_ELSE=1", "PATH=/bin", "ROLLBAR"}})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"ROLLBAR_STATUS is not a setting of rollbar-deploy: did you mean ROLLBAR_DEPLOY_STATUS (status)?",
		"PLUGIN_STAUTS is not a setting of rollbar-deploy: did you mean PLUGIN_STATUS (status)?",
		"INPUT_ENVIROMENT is not a setting of rollbar-deploy: did you mean INPUT_ENVIRONMENT (environment)?",
		"PLUGIN_ENV is not a setting of rollbar-deploy: did you mean PLUGIN_ENVIRONMENT (environment)?",
		"ROLLBAR_ENVIRONMENT_NAME is not a setting of rollbar-deploy: did you mean ROLLBAR_ENVIRONMENT (environment)?",
		"ROLLBAR_VERSION is not a setting of rollbar-deploy: did you mean ROLLBAR_REVISION (revision)?",
	}, cfg.Warnings)
}

func TestRequire(t *testing.T) {
	t.Parallel()
	cfg, err := Resolve(Input{CI: ci.Info{Provider: "GitHub Actions"},
		Git: func() (git.Commit, error) { return git.Commit{}, errors.New("not a git repository") }})
	require.NoError(t, err)
	assert.EqualError(t, cfg.Require("environment"), "environment is not set: set --environment, ROLLBAR_ENVIRONMENT or ROLLBAR_ENV, or the Action input or plugin setting environment (GitHub Actions did not tell it in this job)")
	assert.ErrorContains(t, cfg.Require("revision"), "(no git commit to read it from: not a git repository)")
	assert.ErrorContains(t, cfg.Require("access_token"), "ROLLBAR_ACCESS_TOKEN is not set")

	cfg, err = Resolve(Input{CI: ci.Info{Provider: "GitLab CI", SecretsHint: "GitLab withholds protected variables"}})
	require.NoError(t, err)
	assert.ErrorContains(t, cfg.Require("access_token"), "post_server_item scope (or pass --access-token, or the input access_token); GitLab withholds protected variables")

	cfg, err = Resolve(Input{Getenv: getenv(map[string]string{
		"ROLLBAR_ENDPOINT": "https://api.rollbar.com/api/1/deploy/?access_token=0123456789abcdef&environment=production"})})
	require.NoError(t, err)
	assert.ErrorContains(t, cfg.Require("access_token"), "; the access_token in the query of api_url (from ROLLBAR_ENDPOINT) is not read")

	cfg, err = Resolve(Input{CI: ci.Info{Provider: "Heroku", RevisionHint: "enable the dyno metadata"}})
	require.NoError(t, err)
	assert.ErrorContains(t, cfg.Require("revision"), "(enable the dyno metadata)")
}

func TestSecretsNeverInValues(t *testing.T) {
	t.Parallel()
	e := map[string]string{"ROLLBAR_ACCESS_TOKEN": "tok-secret", "INPUT_READ-ACCESS-TOKEN": "read-secret", "ROLLBAR_ENVIRONMENT": "p"}
	assert.ElementsMatch(t, []string{"flag-secret", "tok-secret", "read-secret"},
		Secrets(map[Name]string{"access_token": "flag-secret"}, getenv(e)))
	cfg, err := Resolve(Input{Getenv: getenv(e)})
	require.NoError(t, err)
	for _, v := range cfg.Values() {
		assert.NotContains(t, v.Value, "secret", v.Name)
	}
}

func TestDistance(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want int
	}{{"status", "status", 0}, {"stauts", "status", 1}, {"enviroment", "environment", 1}, {"", "abc", 3}, {"abc", "xyz", 3}} {
		assert.Equal(t, tt.want, Distance(tt.a, tt.b), tt.a+"/"+tt.b)
	}
}

// TestNotExpressions: values with a $ or a % that no CI would expand stay
// as given.
func TestNotExpressions(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"US$", "a$b", "prod$1", "$", "100%", "canary-10%-of-50%", "prod%20eu", "%"} {
		cfg, err := Resolve(Input{Getenv: getenv(map[string]string{"ROLLBAR_ENVIRONMENT": v, "ROLLBAR_REVISION": v})})
		require.NoError(t, err, v)
		assert.Equal(t, EnvironmentName(v), cfg.Environment)
		assert.Equal(t, RevisionID(v), cfg.Revision)
	}
}

// TestSettingsFollowTable: each row of the table has its field of Settings,
// in the table's order, so go-envconfig reports the first bad value in the
// order help lists them.
func TestSettingsFollowTable(t *testing.T) {
	t.Parallel()
	var rows, tags []Name
	for _, s := range Table {
		rows = append(rows, s.Name)
	}
	st := reflect.TypeFor[Settings]()
	for i := range st.NumField() {
		name, _, _ := strings.Cut(st.Field(i).Tag.Get("env"), ",")
		tags = append(tags, Name(name))
	}
	assert.Equal(t, rows, tags)

	// Every Name constant is a row's name: code names settings by them.
	file, err := parser.ParseFile(token.NewFileSet(), "table.go", nil, 0)
	require.NoError(t, err)
	var consts []Name
	for _, decl := range file.Decls {
		if d, ok := decl.(*ast.GenDecl); ok && d.Tok == token.CONST {
			for _, spec := range d.Specs {
				if v := spec.(*ast.ValueSpec); fmt.Sprint(v.Type) == "Name" {
					name, _ := strconv.Unquote(v.Values[0].(*ast.BasicLit).Value)
					consts = append(consts, Name(name))
				}
			}
		}
	}
	assert.Equal(t, rows, consts)
}
