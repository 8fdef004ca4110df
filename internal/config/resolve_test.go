package config

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/ci"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func headCommit() (git.Commit, error) {
	return git.Commit{SHA: "1111111111111111111111111111111111111111", Committer: "Git Committer"}, nil
}

func TestResolvePrecedence(t *testing.T) {
	t.Parallel()
	gh := ci.Info{Provider: "GitHub Actions", ID: "github",
		Revision:    ci.Field{Value: "cisha", Source: "GITHUB_SHA"},
		Environment: ci.Field{Value: "ci-env", Source: "GITHUB_EVENT_PATH deployment.environment"}}

	tests := []struct {
		name       string
		flags      map[string]string
		env        map[string]string
		info       ci.Info
		setting    string
		get        func(*Config) string
		want, from string
	}{
		{"flag beats everything", map[string]string{"environment": "flag"},
			map[string]string{"INPUT_ENVIRONMENT": "input", "PLUGIN_ENVIRONMENT": "plugin", "ROLLBAR_ENVIRONMENT": "var"}, gh,
			"environment", func(c *Config) string { return c.Environment }, "flag", "--environment"},
		{"input beats plugin", nil,
			map[string]string{"INPUT_ENVIRONMENT": "input", "PLUGIN_ENVIRONMENT": "plugin", "ROLLBAR_ENVIRONMENT": "var"}, gh,
			"environment", func(c *Config) string { return c.Environment }, "input", "INPUT_ENVIRONMENT"},
		{"blank input counts as unset", nil,
			map[string]string{"INPUT_ENVIRONMENT": "  ", "PLUGIN_ENVIRONMENT": "plugin"}, gh,
			"environment", func(c *Config) string { return c.Environment }, "plugin", "PLUGIN_ENVIRONMENT"},
		{"variable alias", nil, map[string]string{"INPUT_ENVIRONMENT": "", "ROLLBAR_ENV": "env-alias"}, gh,
			"environment", func(c *Config) string { return c.Environment }, "env-alias", "ROLLBAR_ENV"},
		{"CI when nothing else", nil, map[string]string{"INPUT_ENVIRONMENT": ""}, gh,
			"environment", func(c *Config) string { return c.Environment }, "ci-env", "GITHUB_EVENT_PATH deployment.environment"},
		{"git after the CI", nil, nil, ci.Info{},
			"revision", func(c *Config) string { return c.Revision }, "1111111111111111111111111111111111111111", "git HEAD"},
		{"CI before git", nil, nil, gh,
			"revision", func(c *Config) string { return c.Revision }, "cisha", "GITHUB_SHA"},
		{"official action's version input", nil, map[string]string{"INPUT_VERSION": "v1.2.3"}, gh,
			"revision", func(c *Config) string { return c.Revision }, "v1.2.3", "INPUT_VERSION"},
		{"hyphenated input", nil, map[string]string{"INPUT_LOCAL-USERNAME": "dashed"}, gh,
			"local_username", func(c *Config) string { return c.LocalUsername }, "dashed", "INPUT_LOCAL-USERNAME"},
		{"Drone keeps hyphens in plugin keys", nil, map[string]string{"PLUGIN_ROLLBAR-USERNAME": "drone"}, gh,
			"rollbar_username", func(c *Config) string { return c.RollbarUsername }, "drone", "PLUGIN_ROLLBAR-USERNAME"},
		{"git committer", nil, nil, ci.Info{},
			"local_username", func(c *Config) string { return c.LocalUsername }, "Git Committer", "git committer of HEAD"},
		{"official action's DEPLOY_ID", nil, map[string]string{"DEPLOY_ID": "42"}, gh,
			"deploy_id", func(c *Config) string { return strconv.FormatInt(c.DeployID, 10) }, "42", "DEPLOY_ID"},
		{"default status", nil, map[string]string{"INPUT_STATUS": ""}, gh,
			"status", func(c *Config) string { return string(c.Status) }, "succeeded", "default"},
		{"CI job word for status", nil, map[string]string{"INPUT_STATUS": "Failure"}, gh,
			"status", func(c *Config) string { return string(c.Status) }, "failed", "INPUT_STATUS"},
		{"cancelled maps to failed", nil, map[string]string{"ROLLBAR_DEPLOY_STATUS": "cancelled"}, gh,
			"status", func(c *Config) string { return string(c.Status) }, "failed", "ROLLBAR_DEPLOY_STATUS"},
		{"Heroku never fails the release", nil, nil, ci.Info{Provider: "Heroku", FailOnError: "never"},
			"fail_on_error", func(c *Config) string { return string(c.FailOnError) }, "never", "Heroku default"},
		{"explicit policy beats Heroku's", nil, map[string]string{"ROLLBAR_FAIL_ON_ERROR": "true"}, ci.Info{Provider: "Heroku", FailOnError: "never"},
			"fail_on_error", func(c *Config) string { return string(c.FailOnError) }, "always", "ROLLBAR_FAIL_ON_ERROR"},
		{"Heroku add-on endpoint cut to the base", nil, map[string]string{"ROLLBAR_ENDPOINT": "https://api.rollbar.com/api/1/item/"}, gh,
			"api_url", func(c *Config) string { return c.APIURL }, "https://api.rollbar.com", "ROLLBAR_ENDPOINT"},
		{"timeout", nil, map[string]string{"ROLLBAR_TIMEOUT": "2m"}, gh,
			"timeout", func(c *Config) string { return c.Timeout.String() }, "2m0s", "ROLLBAR_TIMEOUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg, err := Resolve(context.Background(), Input{Flags: tt.flags, Getenv: env(tt.env), CI: tt.info, Git: headCommit})
			require.NoError(t, err)
			assert.Equal(t, tt.want, tt.get(cfg))
			assert.Equal(t, tt.from, cfg.Source(tt.setting))
		})
	}
}

func TestResolveCallsGitOnlyForGaps(t *testing.T) {
	t.Parallel()
	calls := 0
	counting := func() (git.Commit, error) { calls++; return headCommit() }
	_, err := Resolve(context.Background(), Input{Getenv: env(map[string]string{"ROLLBAR_REVISION": "abc", "ROLLBAR_LOCAL_USERNAME": "me"}), Git: counting})
	require.NoError(t, err)
	assert.Zero(t, calls, "git runs only when no variable tells the revision or user")

	_, err = Resolve(context.Background(), Input{Getenv: env(nil), Git: counting})
	require.NoError(t, err)
	assert.Equal(t, 1, calls, "one git call serves both revision and committer")
}

func TestResolveInvalid(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 256)
	tests := []struct {
		name string
		env  map[string]string
		want []string // in the message
	}{
		{"environment too long", map[string]string{"ROLLBAR_ENVIRONMENT": long}, []string{"environment", "256 characters", "ROLLBAR_ENVIRONMENT", "at most 255"}},
		{"revision too long", map[string]string{"INPUT_REVISION": long}, []string{"revision", "INPUT_REVISION"}},
		{"unknown status", map[string]string{"ROLLBAR_DEPLOY_STATUS": "done"}, []string{"status", `"done"`, "started, succeeded, failed, timed_out"}},
		{"non-numeric deploy id", map[string]string{"DEPLOY_ID": "abc"}, []string{"deploy_id", "DEPLOY_ID", "numeric"}},
		{"negative deploy id", map[string]string{"ROLLBAR_DEPLOY_ID": "-4"}, []string{"deploy_id", "numeric"}},
		{"bad timeout", map[string]string{"ROLLBAR_TIMEOUT": "soon"}, []string{"timeout", "30s"}},
		{"zero timeout", map[string]string{"ROLLBAR_TIMEOUT": "0s"}, []string{"timeout", "not positive"}},
		{"bad policy", map[string]string{"INPUT_FAIL_ON_ERROR": "sometimes"}, []string{"fail_on_error", "config, always, never"}},
		{"URL without scheme", map[string]string{"ROLLBAR_API_URL": "api.rollbar.com"}, []string{"api_url", "http"}},
		{"URL with credentials", map[string]string{"ROLLBAR_API_URL": "https://u:p@api.rollbar.com"}, []string{"api_url", "credentials"}},
		{"bad boolean", map[string]string{"ROLLBAR_DRY_RUN": "maybe"}, []string{"dry_run", "true or false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Resolve(context.Background(), Input{Getenv: env(tt.env), Git: headCommit})
			var cfgErr *Error
			require.True(t, errors.As(err, &cfgErr), "want a *config.Error, got %v", err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestResolveCutsLongComment(t *testing.T) {
	t.Parallel()
	comment := strings.Repeat("é", maxComment) // two bytes each: the cut falls inside a character
	cfg, err := Resolve(context.Background(), Input{Getenv: env(map[string]string{"ROLLBAR_COMMENT": comment})})
	require.NoError(t, err)
	assert.LessOrEqual(t, len(cfg.Comment), maxComment)
	assert.True(t, strings.HasPrefix(comment, cfg.Comment))
	assert.Equal(t, 0, len(cfg.Comment)%2, "cut at a character boundary")
	require.Len(t, cfg.Warnings, 1)
	assert.Contains(t, cfg.Warnings[0], "64 KiB")
}

func TestRequire(t *testing.T) {
	t.Parallel()
	cfg, err := Resolve(context.Background(), Input{Getenv: env(map[string]string{"INPUT_ENVIRONMENT": ""}),
		CI:  ci.Info{Provider: "GitHub Actions"},
		Git: func() (git.Commit, error) { return git.Commit{}, errors.New("not a git repository") }})
	require.NoError(t, err)

	err = cfg.Require("environment")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "--environment, ROLLBAR_ENVIRONMENT or ROLLBAR_ENV, or the input environment")
	assert.Contains(t, err.Error(), "GitHub Actions does not tell it")

	err = cfg.Require("revision")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "not a git repository")

	err = cfg.Require("access_token")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ROLLBAR_ACCESS_TOKEN")
}

func TestSecretsNeverInErrorsOrValues(t *testing.T) {
	t.Parallel()
	e := map[string]string{"ROLLBAR_ACCESS_TOKEN": "tok-secret", "INPUT_READ-ACCESS-TOKEN": "read-secret", "ROLLBAR_ENVIRONMENT": "p"}
	assert.ElementsMatch(t, []string{"tok-secret", "read-secret"}, Secrets(map[string]string{"access_token": "flag-secret"}, env(e))[1:])

	cfg, err := Resolve(context.Background(), Input{Getenv: env(e)})
	require.NoError(t, err)
	for _, v := range cfg.Values() {
		assert.NotContains(t, v.Value, "secret", v.Name)
	}
}

func TestFlagsCoverEverySetting(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, f := range Flags() {
		names[f.Name] = true
	}
	for _, want := range []string{"environment", "local-username", "fail-on-error", "deploy-id", "dry-run", "api-url", "url-prefix", "dotenv"} {
		assert.True(t, names[want], want)
	}
	assert.Len(t, Flags(), len(table))
}
