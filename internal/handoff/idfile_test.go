package handoff

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIDFileRoundTrip(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pending, _, err := LoadIDs(dir)
	require.NoError(t, err)
	assert.Empty(t, pending, "no file: no id, no error")

	want := map[string]int64{"staging": 45306460, "prod eu": 45306461}
	require.NoError(t, SaveIDs(Workspace{Dir: dir}, nil, want))
	data, err := os.ReadFile(filepath.Join(dir, oldIDFile)) // no checkout: at the root
	require.NoError(t, err)
	assert.Equal(t, "45306461 prod eu\n45306460 staging\n", string(data))
	pending, _, err = LoadIDs(dir)
	require.NoError(t, err)
	assert.Equal(t, want, pending)

	require.NoError(t, SaveIDs(Workspace{Dir: dir}, want, nil))
	assert.NoFileExists(t, filepath.Join(dir, oldIDFile))
	require.NoError(t, SaveIDs(Workspace{Dir: dir}, want, nil), "clearing twice is fine")
	require.Error(t, SaveIDs(Workspace{Dir: filepath.Join(dir, "missing")}, nil, want))
}

func TestLoadIDs(t *testing.T) {
	t.Parallel()
	for content, want := range map[string]map[string]int64{
		"  42\r\n": {"": 42}, "42\n": {"": 42}, // an older file names no environment
		"42 production\n7 staging\n": {"production": 42, "staging": 7},
		"":                           nil, "abc": nil, "0": nil, "-5": nil, "12x 34": nil, "99999999999999999999": nil,
	} {
		t.Run(content, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, oldIDFile), []byte(content), 0o644))
			pending, _, err := LoadIDs(dir)
			if want == nil {
				assert.ErrorContains(t, err, oldIDFile+" does not hold a deploy id: delete it, or set ROLLBAR_DEPLOY_ID")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, pending)
		})
	}
}
