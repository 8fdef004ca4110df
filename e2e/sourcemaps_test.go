package e2e

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeFiles lays out a build's output under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		path := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	}
}

func TestSourceMapsFromADirectory(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	dir, sha := checkout(t, "Jane")
	writeFiles(t, dir, map[string]string{
		"dist/app.min.js.map":       `{"version":3,"sources":["app.js"],"mappings":""}`,
		"dist/js/vendor.min.js.map": `{"version":3,"sources":["vendor.js"],"mappings":""}`,
		"dist/app.min.js":           "minified",
	})
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token"}

	res := run(t, dir, env, "sourcemaps", "dist", "--url-prefix", "https://example.com/static/")
	require.Equal(t, 0, res.code, res)
	uploads := srv.SourceMaps()
	require.Len(t, uploads, 2)
	urls := []string{uploads[0].MinifiedURL, uploads[1].MinifiedURL}
	assert.ElementsMatch(t, []string{"https://example.com/static/app.min.js", "https://example.com/static/js/vendor.min.js"}, urls)
	for _, u := range uploads {
		assert.Equal(t, sha, u.Version, "maps are uploaded against the revision")
	}
	assert.Contains(t, res.stderr, "uploaded source map")
	assert.Empty(t, srv.Deploys(), "sourcemaps records no deploy")
}

func TestSourceMapsBeforeTheFinalStatus(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	dir, _ := checkout(t, "Jane")
	writeFiles(t, dir, map[string]string{"dist/app.min.js.map": `{"version":3,"sources":[],"mappings":""}`})
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token",
		"ROLLBAR_SOURCE_MAPS": "dist/*.map", "ROLLBAR_URL_PREFIX": "https://example.com/"}

	res := run(t, dir, env, "--environment", "production")
	require.Equal(t, 0, res.code, res)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/api/1/sourcemap", reqs[0].Path)
	assert.Equal(t, "/api/1/deploy", reqs[1].Path)
}

func TestSourceMapFailuresAreReported(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	dir, _ := checkout(t, "Jane")
	writeFiles(t, dir, map[string]string{
		"dist/good.js.map": `{"version":3,"sources":[],"mappings":""}`,
		"dist/bad.js.map":  `not a source map`,
	})
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token"}

	res := run(t, dir, env, "sourcemaps", "dist", "--url-prefix", "https://example.com/")
	assert.Equal(t, 1, res.code, res)
	assert.Contains(t, res.stderr, "bad.js.map")
	assert.Contains(t, res.stderr, "422")
	assert.Contains(t, res.stderr, "1 of 2 source maps failed")
	assert.Len(t, srv.SourceMaps(), 1, "the good one is still uploaded")

	missing := run(t, dir, env, "sourcemaps", "build", "--url-prefix", "https://example.com/")
	assert.Equal(t, 2, missing.code, missing)
	assert.Contains(t, missing.stderr, "source_maps")
}

func TestARefusedMapStillRecordsTheDeploy(t *testing.T) {
	t.Parallel()
	srv := fakeRollbar(t)
	dir, _ := checkout(t, "Jane")
	writeFiles(t, dir, map[string]string{"dist/bad.js.map": `not a source map`})
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_ACCESS_TOKEN": "post-token",
		"ROLLBAR_SOURCE_MAPS": "dist", "ROLLBAR_URL_PREFIX": "https://example.com/"}

	res := run(t, dir, env, "--environment", "production")
	assert.Equal(t, 1, res.code, "the refused map fails the run: %s", res)
	require.Len(t, srv.Deploys(), 1, "but the deploy is recorded")
	assert.Equal(t, strconv.FormatInt(srv.Deploys()[0].ID, 10)+"\n", res.stdout)
	assert.Contains(t, res.stderr, "bad.js.map")
}
