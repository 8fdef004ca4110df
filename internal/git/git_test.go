package git

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, args := range [][]string{{"init", "-q"}, {"commit", "-q", "--allow-empty", "-m", "x"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
			"GIT_AUTHOR_NAME=Author", "GIT_AUTHOR_EMAIL=a@example.com",
			"GIT_COMMITTER_NAME=Jane Committer", "GIT_COMMITTER_EMAIL=j@example.com")
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, string(out))
	}
	c, err := Head(context.Background(), dir)
	require.NoError(t, err)
	assert.Len(t, c.SHA, 40)
	assert.Equal(t, "Jane Committer", c.Committer, "the committer, not the author")
}

func TestHeadOutsideACheckout(t *testing.T) {
	t.Parallel()
	_, err := Head(context.Background(), t.TempDir())
	require.Error(t, err)
	assert.Contains(t, strings.ToLower(err.Error()), "not a git repository")
	assert.NotContains(t, err.Error(), "fatal:")
}
