package pipeline

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

	_, ok, err := LoadID(dir)
	require.NoError(t, err)
	assert.False(t, ok, "no file: no id, no error")

	require.NoError(t, SaveID(dir, 45306460))
	data, err := os.ReadFile(filepath.Join(dir, IDFile))
	require.NoError(t, err)
	assert.Equal(t, "45306460\n", string(data))

	id, ok, err := LoadID(dir)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, int64(45306460), id)

	require.NoError(t, SaveID(dir, 45306461), "a new started deploy replaces the old id")
	id, _, _ = LoadID(dir)
	assert.Equal(t, int64(45306461), id)

	require.NoError(t, ClearID(dir))
	assert.NoFileExists(t, filepath.Join(dir, IDFile))
	require.NoError(t, ClearID(dir), "clearing twice is fine")
}

func TestLoadIDRejectsWhatIsNotAnID(t *testing.T) {
	t.Parallel()
	for _, content := range []string{"", "abc", "0", "-5", "12 34", "99999999999999999999"} {
		t.Run(content, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, IDFile), []byte(content), 0o644))
			_, ok, err := LoadID(dir)
			require.Error(t, err)
			assert.False(t, ok)
			assert.Contains(t, err.Error(), IDFile)
			assert.Contains(t, err.Error(), "ROLLBAR_DEPLOY_ID", "it says what to do")
		})
	}
}

func TestLoadIDToleratesWhitespace(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, IDFile), []byte("  42\r\n"), 0o644))
	id, ok, err := LoadID(dir)
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, int64(42), id)
}

func TestSaveIDReportsADirectoryItCannotWrite(t *testing.T) {
	t.Parallel()
	require.Error(t, SaveID(filepath.Join(t.TempDir(), "missing"), 1))
}
