package git

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// repo makes a checkout with one commit by committer <email>, and a web/
// subdirectory holding a tracked file.
func repo(t *testing.T, committer, email string) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "web"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "web", "app.js"), []byte("1\n"), 0o644))
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"commit", "-q", "-m", "x"}} {
		gitCmd(t, dir, args, "GIT_COMMITTER_NAME="+committer, "GIT_COMMITTER_EMAIL="+email)
	}
	return dir
}

func gitCmd(t *testing.T, dir string, args []string, env ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append([]string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=Ada Author", "GIT_AUTHOR_EMAIL=ada@example.com"}, env...)...)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
}

func TestHead(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, committer, email, want string }{
		{"the committer, not the author", "Jane Committer", "j@example.com", "Jane Committer"},
		{"a merge made on github.com: the author", "GitHub", "noreply@github.com", "Ada Author"},
		{"a person named GitHub", "GitHub", "github@example.com", "GitHub"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Head(context.Background(), repo(t, tt.committer, tt.email))
			require.NoError(t, err)
			assert.Len(t, c.SHA, 40)
			assert.Equal(t, tt.want, c.Committer)
			assert.False(t, c.Dirty)
		})
	}
}

func TestHeadDirty(t *testing.T) {
	t.Parallel()
	dir := repo(t, "Jane", "j@example.com")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "untracked.txt"), []byte("x"), 0o644))
	c, err := Head(context.Background(), dir)
	require.NoError(t, err)
	assert.False(t, c.Dirty, "an untracked file is no change to what HEAD deploys")

	require.NoError(t, os.WriteFile(filepath.Join(dir, "web", "app.js"), []byte("2\n"), 0o644))
	c, err = Head(context.Background(), filepath.Join(dir, "web"))
	require.NoError(t, err)
	assert.True(t, c.Dirty)
}

// TestHeadOtherOwner is a container over a CI workspace: the checkout belongs
// to another user, and the tool runs in a subdirectory of it.
func TestHeadOtherOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the checkout to another user")
	}
	t.Parallel()
	dir := repo(t, "Jane", "j@example.com")
	require.NoError(t, filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, 65534, 65534)
	}))
	for _, d := range []string{dir, filepath.Join(dir, "web")} {
		c, err := Head(context.Background(), d)
		require.NoError(t, err, d)
		assert.Len(t, c.SHA, 40, d)
	}
}

func TestHeadOutsideACheckout(t *testing.T) {
	t.Parallel()
	_, err := Head(context.Background(), t.TempDir())
	require.Error(t, err)
	assert.Contains(t, strings.ToLower(err.Error()), "not a git repository")
	assert.NotContains(t, err.Error(), "fatal:")
}
