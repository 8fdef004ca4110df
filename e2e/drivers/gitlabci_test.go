package drivers

import (
	"cmp"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGitLabCILocal runs testdata/gitlab-ci.yml with gitlab-ci-local's
// shell executor: a start job per environment records a started deploy and
// writes a dotenv report, and each finish job, two stages later, gets both
// reports and updates its own environment's deploy; a third environment's
// one job passes the id from one script line to the next. GITLAB_CI_LOCAL names
// the tool when it is not on PATH.
func TestGitLabCILocal(t *testing.T) {
	gcl := cmp.Or(os.Getenv("GITLAB_CI_LOCAL"), "gitlab-ci-local")
	slow(t, gcl, "git", "rsync") // gitlab-ci-local copies the repository with rsync
	work := t.TempDir()
	build(t, filepath.Join(work, "bin/rollbar-deploy"), "gitlab-ci-local")
	srv := fake(t)

	repo, home, env, git := gitlabRepo(t, work, "testdata/gitlab-ci.yml")
	revision := git("rev-parse", "HEAD")

	cmd := exec.Command(gcl, "--shell-executor-no-image", "--shell-isolation", "--no-color", "--home", home,
		"--variable", "ROLLBAR_ACCESS_TOKEN="+token, "--variable", "ROLLBAR_API_URL="+srv.URL)
	cmd.Dir, cmd.Env = repo, env
	stdout, stderr := mustRun(t, cmd)
	t.Logf("gitlab-ci-local:\n%s%s", stdout, stderr)
	for _, job := range []string{"deploy-review", "finish-staging", "finish-production"} {
		assert.Regexp(t, `PASS.*`+job+`|`+job+`.*PASS`, stdout+stderr, "%s did not pass", job)
	}

	deploys := srv.Deploys()
	require.Len(t, deploys, 3, "one deploy per environment: %+v", deploys)
	var calls []string
	for _, r := range srv.Requests() {
		calls = append(calls, r.Method+" "+r.Path)
	}
	for _, d := range deploys {
		assert.Equal(t, revision, d.Revision)
		assert.Equal(t, "succeeded", d.Status, "deploy %d of %s", d.ID, d.Environment)
		// gitlab-ci-local sets GITLAB_CI=false and makes up its pipeline URL and user:
		// a local run records neither, and git tells who committed.
		assert.Empty(t, d.Comment, "gitlab-ci-local's made-up pipeline URL was recorded")
		assert.Equal(t, "Jane Doe", d.LocalUsername, "the committer is not the local username")
		assert.Contains(t, calls, "PATCH /api/1/deploy/"+strconv.FormatInt(d.ID, 10), "%s's deploy was never finished", d.Environment)
	}
	assert.ElementsMatch(t, []string{"staging", "production", "review/fix-42"},
		[]string{deploys[0].Environment, deploys[1].Environment, deploys[2].Environment})
	assert.Len(t, calls, 6, "a POST and a PATCH per environment: %q", calls)
}

// TestGitLabCIRetry runs testdata/gitlab-ci-retry.yml under gitlab-ci-local:
// a deploy that fails and is retried, and a manual job clicked after
// Rollbar's Deploy Timeout, with a post-only token. Each final status lands:
// Rollbar ends saying what production runs, and no job fails.
func TestGitLabCIRetry(t *testing.T) {
	gcl := cmp.Or(os.Getenv("GITLAB_CI_LOCAL"), "gitlab-ci-local")
	slow(t, gcl, "git", "rsync")
	work := t.TempDir()
	build(t, filepath.Join(work, "bin/rollbar-deploy"), "gitlab-ci-local")
	srv := fake(t)
	fails := filepath.Join(work, "deploy-fails")
	repo, home, env, _ := gitlabRepo(t, work, "testdata/gitlab-ci-retry.yml")
	gitlabCILocal := func(jobs ...string) string {
		cmd := exec.Command(gcl, append([]string{"--shell-executor-no-image", "--shell-isolation", "--no-color", "--home", home,
			"--variable", "ROLLBAR_ACCESS_TOKEN=" + token, "--variable", "ROLLBAR_API_URL=" + srv.URL, "--variable", "DEPLOY_FAILS=" + fails}, jobs...)...)
		cmd.Dir, cmd.Env = repo, env
		stdout, stderr, err := run(cmd) // the first pipeline fails, as its deploy does
		t.Logf("gitlab-ci-local %v:\n%s%s%v", jobs, stdout, stderr, err)
		return stdout + stderr
	}
	status := func() []string {
		var out []string
		for _, d := range srv.Deploys() {
			out = append(out, d.Status)
		}
		return out
	}

	// The pipeline: the deploy fails, the failed job marks the deploy.
	writeFile(t, fails, "", 0o644)
	out := gitlabCILocal()
	assert.Regexp(t, `PASS\s+rollbar-failed`, out)
	assert.Regexp(t, `FAIL\s+deploy`, out)
	assert.Equal(t, []string{"failed"}, status())
	// Retried, it passes, and the succeeded job runs with the started job's report.
	require.NoError(t, os.Remove(fails))
	out = gitlabCILocal("deploy", "rollbar-succeeded")
	assert.Regexp(t, `PASS\s+rollbar-succeeded`, out)
	assert.Contains(t, out, "so it cannot be set to succeeded: recorded deploy")
	assert.Equal(t, []string{"failed", "succeeded"}, status(), "Rollbar says what production runs")

	// A manual job clicked after the Deploy Timeout.
	srv.Reset()
	gitlabCILocal("rollbar-started", "deploy")
	deploys := srv.Deploys()
	require.Len(t, deploys, 1)
	require.True(t, srv.TimeOut(deploys[0].ID))
	out = gitlabCILocal("rollbar-manual")
	assert.Regexp(t, `PASS\s+rollbar-manual`, out)
	assert.Equal(t, []string{"timed_out", "succeeded"}, status())
}

// gitlabRepo commits pipeline as the .gitlab-ci.yml of work/repo, by Jane Doe, with a
// gitlab.example.com remote, and returns the repository, the jobs' home, their environment and
// a git that runs there and returns its trimmed stdout.
func gitlabRepo(t *testing.T, work, pipeline string) (repo, home string, env []string, git func(args ...string) string) {
	t.Helper()
	repo, home = filepath.Join(work, "repo"), filepath.Join(work, "home")
	data, err := os.ReadFile(pipeline)
	require.NoError(t, err)
	writeFile(t, filepath.Join(repo, ".gitlab-ci.yml"), string(data), 0o644)
	require.NoError(t, os.MkdirAll(home, 0o755))
	// Only what the tools need: no variable of this machine (a CI's own, a
	// ~/.gitlab-ci-local) joins the jobs' environment.
	env = []string{"HOME=" + home, "PATH=" + filepath.Join(work, "bin") + ":" + os.Getenv("PATH"),
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}
	git = func(args ...string) string {
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
	return repo, home, env, git
}
