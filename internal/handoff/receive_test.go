package handoff

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func vars(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestReceive: a ROLLBAR_DEPLOY_ID the tool saved (it wrote the environment
// beside it) is the hand-off's, not the user's deploy id.
func TestReceive(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name        string
		env         map[string]string
		environment string
		saved       []Saved
		userID      string // ROLLBAR_DEPLOY_ID as the settings see it
	}{
		{"the tool's id", map[string]string{"ROLLBAR_DEPLOY_ID": "7", "ROLLBAR_DEPLOY_ENVIRONMENT": "staging"}, "",
			[]Saved{{ID: 7, Environment: "staging", Source: "ROLLBAR_DEPLOY_ID"}}, ""},
		{"escaped as a dotenv report holds it, with the job's records", map[string]string{"ROLLBAR_DEPLOY_ID": "8",
			"ROLLBAR_DEPLOY_ENVIRONMENT": "prod%20eu", "ROLLBAR_DEPLOYS": "prod+eu=8&staging=7&bad=x"}, "",
			[]Saved{{ID: 8, Environment: "prod eu", Source: "ROLLBAR_DEPLOY_ID"},
				{ID: 8, Environment: "prod eu", Source: "ROLLBAR_DEPLOYS"}, {ID: 7, Environment: "staging", Source: "ROLLBAR_DEPLOYS"}}, ""},
		{"an id that is not the one saved for its environment is the user's", map[string]string{"ROLLBAR_DEPLOY_ID": "9",
			"ROLLBAR_DEPLOY_ENVIRONMENT": "staging", "ROLLBAR_DEPLOYS_STAGING": "staging=7"}, "staging",
			[]Saved{{ID: 7, Environment: "staging", Source: "ROLLBAR_DEPLOYS_STAGING"}}, "9"},
		{"a finished deploy is handed over by nobody", map[string]string{"ROLLBAR_DEPLOY_ID": "9",
			"ROLLBAR_DEPLOY_ENVIRONMENT": "staging", "ROLLBAR_DEPLOYS_STAGING": "staging=-9"}, "staging", nil, ""},
		{"without the environment, the id is the user's", map[string]string{"ROLLBAR_DEPLOY_ID": "7"}, "", nil, "7"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in, err := Receive(vars(c.env), c.environment, Workspace{})
			require.NoError(t, err)
			assert.Equal(t, c.saved, in.Saved)
			assert.Equal(t, c.userID, UserEnv(vars(c.env))("ROLLBAR_DEPLOY_ID"))
		})
	}
}

// TestIDFileOutOfTheCheckout: in a git checkout the id file is in .git
// (a worktree's too), where git status does not see it; one an older version
// left at the root is read, and goes once the ids are saved again.
func TestIDFileOutOfTheCheckout(t *testing.T) {
	t.Parallel()
	dir, other := t.TempDir(), t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, ".git"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".rollbar-deploy-id"), []byte("5 staging\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(other, ".git"), []byte("gitdir: "+filepath.Join(dir, ".git")+"\n"), 0o644))

	in, err := Receive(vars(nil), "staging", Workspace{Dir: dir})
	require.NoError(t, err)
	assert.Equal(t, []Saved{{ID: 5, Environment: "staging", Source: ".rollbar-deploy-id"}}, in.Saved)

	require.NoError(t, SaveIDs(Workspace{Dir: dir}, nil, map[string]int64{"staging": 5, "production": 6}))
	assert.NoFileExists(t, filepath.Join(dir, ".rollbar-deploy-id"))
	assert.FileExists(t, filepath.Join(dir, ".git", IDFile))
	pending, path, err := LoadIDs(other)
	require.NoError(t, err)
	assert.Equal(t, map[string]int64{"staging": 5, "production": 6}, pending, "a worktree's .git file names the git directory")
	assert.Equal(t, filepath.Join(dir, ".git", IDFile), path)
}

// TestRunFile: the run that kept the ids is named beside them; another run
// does not take them as its own, and the name goes with the last id.
func TestRunFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ids := map[string]int64{"staging": 5}
	require.NoError(t, SaveIDs(Workspace{Dir: dir, Run: "https://ci.example.com/1"}, nil, ids))
	assert.Equal(t, "https://ci.example.com/1", keptBy(dir))

	in, err := Receive(vars(nil), "staging", Workspace{Dir: dir, Run: "https://ci.example.com/2"})
	require.NoError(t, err)
	assert.True(t, in.Stale)
	assert.Empty(t, in.Saved)

	require.NoError(t, SaveIDs(Workspace{Dir: dir, Run: "https://ci.example.com/1"}, ids, nil))
	assert.NoFileExists(t, filepath.Join(dir, "."+RunFile))
	assert.NoFileExists(t, filepath.Join(dir, oldIDFile))
}
