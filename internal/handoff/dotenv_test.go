package handoff

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteDotenv(t *testing.T) {
	t.Parallel()
	const base = "ROLLBAR_DEPLOY_ID=45306460\nROLLBAR_DEPLOY_URL=https://rollbar.com/deploy/45306460/\nROLLBAR_DEPLOY_ENVIRONMENT=production\n"
	for status, want := range map[string]string{
		// A started deploy, once more under its environment's name, for the job that finishes it.
		"started":   base + "ROLLBAR_DEPLOYS_PRODUCTION=production=45306460\n",
		"succeeded": base + "ROLLBAR_DEPLOYS_PRODUCTION=production=-45306460\nROLLBAR_WATCH_RESULT=passed\n", // finished: no later job finishes it again
	} {
		path := filepath.Join(t.TempDir(), "deploy.env")
		require.NoError(t, os.WriteFile(path, []byte("ROLLBAR_DEPLOY_ID=1\nROLLBAR_DEPLOYS_STAGING=staging=2\nROLLBAR_WATCH_RESULT=failed\nAPP_URL=https://shop.example.com"), 0o644))
		r := result(status)
		if status == "succeeded" {
			r.Watch = &Watch{Result: "passed"}
		}
		require.NoError(t, WriteDotenv(path, r))
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, "APP_URL=https://shop.example.com\n"+want, string(data), "%s: no stale deploy line lingers, and the user's stay", status)
	}
}

// TestWriteWatchDotenv: a watch's verdict replaces an earlier one, and what
// a record wrote there stays.
func TestWriteWatchDotenv(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "deploy.env")
	require.NoError(t, os.WriteFile(path, []byte("ROLLBAR_DEPLOY_ID=7\nROLLBAR_WATCH_RESULT=failed\n"), 0o644))
	require.NoError(t, WriteWatchDotenv(path, Watch{Result: "passed"}))
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "ROLLBAR_DEPLOY_ID=7\nROLLBAR_WATCH_RESULT=passed\n", string(data))
}

func TestPendingVarOf(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]string{
		"production":     "ROLLBAR_DEPLOYS_PRODUCTION",
		"review/fix-42":  "ROLLBAR_DEPLOYS_REVIEW_FIX_42",
		"Staging EU (2)": "ROLLBAR_DEPLOYS_STAGING_EU_2_",
		"qualité":        "ROLLBAR_DEPLOYS_QUALIT_",
		"":               "",
	} {
		assert.Equal(t, want, PendingVarOf(env), env)
	}
}

func TestWriteDotenvRefusesUnsafeValues(t *testing.T) {
	t.Parallel()
	for name, url := range map[string]string{
		"newline":         "https://rollbar.com/deploy/1/\nINJECTED=1",
		"carriage return": "https://rollbar.com/deploy/1/\rINJECTED=1",
		"space":           "https://rollbar.com/deploy/1/ INJECTED=1",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "deploy.env")
			r := result("started")
			r.URL = url
			err := WriteDotenv(path, r)
			var unsafe *UnsafeValueError
			require.ErrorAs(t, err, &unsafe)
			assert.Equal(t, "ROLLBAR_DEPLOY_URL", unsafe.Key)
			assert.NoFileExists(t, path)
		})
	}
}

func TestWriteDotenvReportsAFileItCannotWrite(t *testing.T) {
	t.Parallel()
	err := WriteDotenv(filepath.Join(t.TempDir(), "missing", "deploy.env"), result("started"))
	require.Error(t, err)
}

// TestEscapeEnvironment: a dotenv value has no space, and the name stays
// readable for a later job, and reads back as it was.
func TestEscapeEnvironment(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]string{
		"review/fix-42":   "review/fix-42",
		"prod eu":         "prod%20eu",
		"100% canary":     "100%25%20canary",
		"préprod (2)":     "préprod%20(2)",
		"literal%20space": "literal%2520space",
	} {
		assert.Equal(t, want, EscapeEnvironment(env))
		back, err := url.PathUnescape(want)
		require.NoError(t, err)
		assert.Equal(t, env, back)
	}
}
