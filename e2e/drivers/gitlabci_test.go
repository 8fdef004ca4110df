package drivers

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGitLabCILocal runs testdata/gitlab-ci.yml with gitlab-ci-local's
// shell executor: deploy-start records a started deploy and writes a dotenv
// report, and deploy-finish, two stages later, gets ROLLBAR_DEPLOY_ID from
// it and updates that deploy. GITLAB_CI_LOCAL names the tool when it is not
// on PATH.
func TestGitLabCILocal(t *testing.T) {
	gcl := cmp.Or(os.Getenv("GITLAB_CI_LOCAL"), "gitlab-ci-local")
	slow(t, gcl, "git", "rsync") // gitlab-ci-local copies the repository with rsync
	work := t.TempDir()
	build(t, filepath.Join(work, "bin/rollbar-deploy"), "gitlab-ci-local")
	srv := fake(t)

	repo, home := filepath.Join(work, "repo"), filepath.Join(work, "home")
	pipeline, err := os.ReadFile("testdata/gitlab-ci.yml")
	require.NoError(t, err)
	writeFile(t, filepath.Join(repo, ".gitlab-ci.yml"), string(pipeline), 0o644)
	require.NoError(t, os.MkdirAll(home, 0o755))
	// Only what the tools need: no variable of this machine (a CI's own, a
	// ~/.gitlab-ci-local) joins the jobs' environment.
	env := []string{"HOME=" + home, "PATH=" + filepath.Join(work, "bin") + ":" + os.Getenv("PATH"),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.name=Jane Doe", "-c", "user.email=jane@example.com",
			"-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir, cmd.Env = repo, env
		stdout, _ := mustRun(t, cmd)
		return strings.TrimSpace(stdout)
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "deploy me")
	// gitlab-ci-local derives the project's URLs from the remote.
	git("remote", "add", "origin", "https://gitlab.example.com/group/project.git")
	revision := git("rev-parse", "HEAD")

	cmd := exec.Command(gcl, "--shell-executor-no-image", "--shell-isolation", "--no-color", "--home", home,
		"--variable", "ROLLBAR_ACCESS_TOKEN="+token, "--variable", "ROLLBAR_API_URL="+srv.URL)
	cmd.Dir, cmd.Env = repo, env
	stdout, stderr := mustRun(t, cmd)
	t.Logf("gitlab-ci-local:\n%s%s", stdout, stderr)
	assert.Regexp(t, `PASS.*deploy-finish|deploy-finish.*PASS`, stdout+stderr, "deploy-finish did not pass")

	d := startedThenSucceeded(t, srv, "", revision, "production") // CI_ENVIRONMENT_NAME
	assert.True(t, strings.HasPrefix(d.Comment, "https://gitlab.example.com/group/project/"),
		"the comment is not the pipeline's URL: %q", d.Comment)
	assert.NotEmpty(t, d.LocalUsername, "GITLAB_USER_LOGIN is not the local username")
}
