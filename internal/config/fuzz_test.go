package config_test

import (
	"errors"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/rollbar-deploy/rollbar-deploy/internal/ci"
	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/git"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
)

// fuzzSettings are the settings FuzzResolve feeds, in the order of its
// string arguments after the two tokens.
var fuzzSettings = []config.Name{config.Environment, config.Revision, config.Status, config.DeployID, config.Timeout,
	config.FailOnError, config.APIURL, config.Comment, config.DryRun, config.LocalUsername}

// fuzzInput places each value where where says: a flag, an Action input, a
// plugin setting or the tool's variable, so that every source is parsed.
func fuzzInput(where uint8, values map[config.Name]string) config.Input {
	flags, env := map[config.Name]string{}, map[string]string{}
	for i, name := range slices.Sorted(maps.Keys(values)) {
		v := values[name]
		switch (int(where) + i) % 4 {
		case 0:
			flags[name] = v
		case 1:
			env["INPUT_"+strings.ToUpper(string(name))] = v
		case 2:
			env["PLUGIN_"+strings.ToUpper(name.Row().Flag())] = v
		default:
			env[name.Row().Vars[0]] = v
		}
	}
	return config.Input{
		Flags:  flags,
		Getenv: func(k string) string { return env[k] },
		CI:     ci.Info{Provider: "GitHub Actions", ID: "github", Revision: ci.Field{Value: "cisha", Source: "GITHUB_SHA"}},
		Git:    func() (git.Commit, error) { return git.Commit{}, errors.New("not a git repository") },
	}
}

// FuzzResolve: any values, from any source, resolve to a valid
// configuration or to a *config.Error; nothing panics, and no error or
// shown value depends on a token's value, so none can carry one.
func FuzzResolve(f *testing.F) {
	for _, s := range [][]string{
		{"post-token", "", "production", "0a1b2c", "started", "45306460", "30s", "config", "https://api.rollbar.com", "https://ci/run/1", "true", "jane"},
		{"t", "r", "", "", "success", "", "2m", "true", "https://api.rollbar.com/api/1/item/", "", "false", ""},
		{"tok", "tok", "p", "r", "Failure", "-4", "0s", "sometimes", "api.rollbar.com", "é", "maybe", "x"},
		{"tok", "", "p", "r", "cancelled", "abc", "soon", "never", "https://u:p@api.rollbar.com", "", "1", ""},
		{" tok ", "\t", strings.Repeat("e", 256), strings.Repeat("r", 255), "done", "9223372036854775808", "-1s", "FALSE", "http://[::1]:8080/x?y#z", "", "", strings.Repeat("é", 256)},
		{"tok", "", "p\nevil=1", "r", "timed_out", "0", "1ns", "ALWAYS", "https://h/%zz", "", "t", "\x00"},
		{"tok", "", "p", "r", "", "", "", "", "http://h:99999", "", "", ""},
	} {
		f.Add(uint8(0), s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11])
	}
	f.Fuzz(func(t *testing.T, where uint8, token, readToken, environment, revision, status, deployID, timeout, policy, apiURL, comment, dryRun, user string) {
		values := map[config.Name]string{}
		for i, v := range []string{environment, revision, status, deployID, timeout, policy, apiURL, comment, dryRun, user} {
			values[fuzzSettings[i]] = v
		}
		resolve := func(token, readToken string) (*config.Config, error) {
			in := fuzzInput(where, values)
			getenv := in.Getenv
			in.Getenv = func(k string) string {
				switch k {
				case "ROLLBAR_ACCESS_TOKEN":
					return token
				case "ROLLBAR_READ_ACCESS_TOKEN":
					return readToken
				}
				return getenv(k)
			}
			return config.Resolve(in)
		}
		cfg, err := resolve(token, readToken)
		// The same run with other tokens (as blank or not as the given ones).
		other, otherErr := resolve(replaceToken(token, "OTHER-TOKEN-1"), replaceToken(readToken, "OTHER-TOKEN-2"))
		if err != nil {
			var cfgErr *config.Error
			require.True(t, errors.As(err, &cfgErr), "want a *config.Error, got %T: %v", err, err)
			assert.NotEmpty(t, cfgErr.Setting)
			assert.NotEmpty(t, cfgErr.Problem)
			require.Error(t, otherErr)
			assert.Equal(t, err.Error(), otherErr.Error(), "an error never depends on a token's value")
			return
		}
		require.NoError(t, otherErr)
		assert.Equal(t, cfg.Values(), other.Values(), "shown values never depend on a token's value")
		checkResolved(t, cfg, comment)
		for _, name := range append(fuzzSettings, config.AccessToken, config.ReadAccessToken, config.RollbarUsername) {
			if err := cfg.Require(name); err != nil {
				var cfgErr *config.Error
				assert.True(t, errors.As(err, &cfgErr))
			}
		}
	})
}

// replaceToken is another token like token: blank as it, or, where no HTTP
// header could carry it (which the resolver refuses), as unusable.
func replaceToken(token, other string) string {
	t := strings.TrimSpace(token)
	switch {
	case t == "":
		return token
	case strings.ContainsFunc(t, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) || r > unicode.MaxASCII }):
		return other + " x"
	}
	return other
}

// checkResolved checks what every resolved configuration promises.
func checkResolved(t *testing.T, cfg *config.Config, comment string) {
	t.Helper()
	for name, v := range map[string]string{"environment": string(cfg.Environment),
		"revision": string(cfg.Revision), "local_username": string(cfg.LocalUsername)} {
		assert.LessOrEqual(t, utf8.RuneCountInString(v), 255, name)
	}
	assert.LessOrEqual(t, len(cfg.Comment), 64<<10)
	// The CI tells no comment here: any comment is the fuzzed one, or a cut of it.
	assert.True(t, strings.HasPrefix(strings.TrimSpace(comment), cfg.Comment), "the comment is the value given, or a cut of it")
	assert.Contains(t, []rollbar.Status{rollbar.Started, rollbar.Succeeded, rollbar.Failed, rollbar.TimedOut}, cfg.Status)
	assert.Contains(t, []config.Policy{config.FailOnConfig, config.FailAlways, config.FailNever}, cfg.FailOnError)
	assert.Positive(t, cfg.Timeout)
	assert.GreaterOrEqual(t, cfg.DeployID, rollbar.DeployID(0))

	u, err := url.Parse(string(cfg.APIURL))
	require.NoError(t, err, cfg.APIURL)
	assert.Contains(t, []string{"http", "https"}, u.Scheme)
	assert.NotEmpty(t, u.Host)
	assert.Nil(t, u.User, "no credentials in the API URL")
	assert.False(t, strings.HasSuffix(string(cfg.APIURL), "/"))
	assert.False(t, u.Path == "/api/1" || strings.HasSuffix(u.Path, "/api/1") || strings.Contains(u.Path, "/api/1/"), "the base URL has no /api/1 in its path: %s", cfg.APIURL)

	for _, v := range cfg.Values() {
		if v.Name == "access_token" || v.Name == "read_access_token" {
			assert.Contains(t, []string{"", "***"}, v.Value, "a token shows as *** or not at all")
		}
	}
}
