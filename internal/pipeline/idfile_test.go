package pipeline

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIDFileRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	id, _, err := LoadID(dir)
	require.NoError(t, err)
	assert.Zero(t, id, "no file: no id, no error")

	require.NoError(t, SaveID(dir, 45306460, "staging"))
	data, err := os.ReadFile(filepath.Join(dir, IDFile))
	require.NoError(t, err)
	assert.Equal(t, "45306460\nstaging\n", string(data))
	id, env, err := LoadID(dir)
	require.NoError(t, err)
	assert.Equal(t, []any{int64(45306460), "staging"}, []any{id, env})

	require.NoError(t, ClearID(dir))
	assert.NoFileExists(t, filepath.Join(dir, IDFile))
	require.NoError(t, ClearID(dir), "clearing twice is fine")
	require.Error(t, SaveID(filepath.Join(dir, "missing"), 1, ""))
}

func TestLoadID(t *testing.T) {
	t.Parallel()
	for content, want := range map[string]string{
		"  42\r\n": "42 ", "42\nproduction\n": "42 production", // an old file names no environment
		"": "error", "abc": "error", "0": "error", "-5": "error", "12 34": "error", "99999999999999999999": "error",
	} {
		t.Run(content, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, IDFile), []byte(content), 0o644))
			id, env, err := LoadID(dir)
			if want == "error" {
				assert.ErrorContains(t, err, IDFile+" does not hold a deploy id: delete it, or set ROLLBAR_DEPLOY_ID")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, strconv.FormatInt(id, 10)+" "+env)
		})
	}
}
