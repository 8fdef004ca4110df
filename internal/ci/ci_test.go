package ci

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	sha    = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"
	prHead = "c0ffee0000000000000000000000000000000001"

	forkHint       = "GitHub Actions gives a pull request from a fork no secrets; record deploys from runs on the repository's own branches"
	dependabotHint = "GitHub gives Dependabot's runs only Dependabot secrets: add ROLLBAR_ACCESS_TOKEN under Settings > Secrets > Dependabot"
)

type vars = map[string]string

func env(v vars) Getenv { return func(k string) string { return v[k] } }

// noFile stands for a runner whose event payload is absent. The real dumps
// need it: their GITHUB_EVENT_PATH exists on GitHub's hosted runners.
func noFile(string) ([]byte, error) { return nil, fs.ErrNotExist }

// loadEnv parses a NAME=value dump from testdata.
func loadEnv(tb testing.TB, name string) vars {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(tb, err)
	v := vars{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, val, ok := strings.Cut(line, "="); ok && k != "" {
			v[k] = val
		}
	}
	require.NotEmpty(tb, v)
	return v
}

// TestDetect maps the environment each CI sets (or a real dump of it, file)
// to what Detect reads. Provider, the display name, is not repeated: it
// comes with the ID.
func TestDetect(t *testing.T) {
	t.Parallel()
	const dumpSHA = "790efd9b96e59d9b3c3f1899284c85fa91efbcbc"
	never, heroku := "never", "https://dashboard.heroku.com/apps/my-app/activity"
	tests := []struct {
		name string
		env  vars
		file string
		want Info
	}{
		{name: "woodpecker", env: vars{"CI": "woodpecker", "CI_COMMIT_SHA": sha, "CI_COMMIT_AUTHOR": "ada", "CI_PIPELINE_AUTHOR": "grace",
			"CI_PIPELINE_URL": "https://ci.example.com/repos/7/pipeline/42", "CI_PIPELINE_DEPLOY_TARGET": "production",
			"CI_COMMIT_BRANCH": "main", "CI_REPO": "acme/web", "CI_WORKSPACE": "/woodpecker/src/acme/web", "CI_PIPELINE_STATUS": "failure"},
			want: Info{ID: "woodpecker", Revision: Field{sha, "CI_COMMIT_SHA"}, LocalUsername: Field{"ada", "CI_COMMIT_AUTHOR"},
				Comment: Field{"https://ci.example.com/repos/7/pipeline/42", "CI_PIPELINE_URL"}, Environment: Field{"production", "CI_PIPELINE_DEPLOY_TARGET"},
				Status: Field{"failure", "CI_PIPELINE_STATUS"}, Branch: Field{"main", "CI_COMMIT_BRANCH"}, Repository: Field{"acme/web", "CI_REPO"}, SharesWorkspace: true, JoinsLists: true, Workspace: "/woodpecker/src/acme/web"}},
		{name: "woodpecker pull request run by woodpecker-cli exec", env: vars{"CI_SYSTEM_NAME": "woodpecker", "CI_COMMIT_SHA": sha, "CI_PIPELINE_AUTHOR": "grace",
			"CI_PIPELINE_URL": "https://github.com/woodpecker-ci/woodpecker/repos/0/pipeline/1", "CI_COMMIT_SOURCE_BRANCH": "feature", "CI_COMMIT_BRANCH": "main"},
			want: Info{ID: "woodpecker", Revision: Field{sha, "CI_COMMIT_SHA"}, LocalUsername: Field{"grace", "CI_PIPELINE_AUTHOR"},
				Branch: Field{"feature", "CI_COMMIT_SOURCE_BRANCH"}, SharesWorkspace: true, JoinsLists: true}},
		{name: "forgejo", env: vars{"FORGEJO_ACTIONS": "true", "GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true",
			"GITHUB_SERVER_URL": "https://codeberg.org/", "GITHUB_REPOSITORY": "acme/web", "GITHUB_SHA": sha, "GITHUB_RUN_ID": "123456",
			"GITHUB_RUN_NUMBER": "17", "GITHUB_RUN_ATTEMPT": "2", "GITHUB_ACTOR": "ada", "GITHUB_REF": "refs/heads/main",
			"GITHUB_EVENT_PATH": "testdata/github-push.json", "DEPLOY_ID": "45306460"},
			want: Info{ID: "forgejo", Revision: Field{sha, "GITHUB_SHA"}, LocalUsername: Field{"grace", "GITHUB_EVENT_PATH head_commit.committer.username"},
				Comment: Field{"https://codeberg.org/acme/web/actions/runs/17", "GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_NUMBER"},
				Branch:  Field{"main", "GITHUB_REF"}, Repository: Field{"acme/web", "GITHUB_REPOSITORY"}, CommitURL: "https://codeberg.org/acme/web/commit/" + sha, WorkflowCommands: true}},
		{name: "gitea", env: vars{"GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true", "GITHUB_SERVER_URL": "https://gitea.example.com",
			"GITHUB_REPOSITORY": "acme/web", "GITHUB_SHA": sha, "GITHUB_RUN_ID": "88", "GITHUB_RUN_NUMBER": "3", "GITHUB_ACTOR": "ada"},
			want: Info{ID: "gitea", Revision: Field{sha, "GITHUB_SHA"}, LocalUsername: Field{"ada", "GITHUB_ACTOR"},
				Comment:    Field{"https://gitea.example.com/acme/web/actions/runs/88", "GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID"},
				Repository: Field{"acme/web", "GITHUB_REPOSITORY"}, CommitURL: "https://gitea.example.com/acme/web/commit/" + sha, WorkflowCommands: true}},
		{name: "github deployment re-run", env: vars{"GITHUB_ACTIONS": "true", "GITHUB_ENV": "/tmp/env", "GITHUB_SHA": "1111111111111111111111111111111111111111", "GITHUB_ACTOR": "ada", "GITHUB_TRIGGERING_ACTOR": "grace",
			"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/web", "GITHUB_RUN_ID": "99", "GITHUB_RUN_ATTEMPT": "3",
			"GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_NAME": "deployment", "GITHUB_EVENT_PATH": "testdata/github-deployment.json"},
			want: Info{ID: "github", Revision: Field{sha, "GITHUB_EVENT_PATH deployment.sha"}, LocalUsername: Field{"grace", "GITHUB_TRIGGERING_ACTOR"},
				Comment:     Field{"https://github.com/acme/web/actions/runs/99/attempts/3", "GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID/attempts/GITHUB_RUN_ATTEMPT"},
				Environment: Field{"staging", "GITHUB_EVENT_PATH deployment.environment"}, Branch: Field{"main", "GITHUB_REF"},
				Repository: Field{"acme/web", "GITHUB_REPOSITORY"}, CommitURL: "https://github.com/acme/web/commit/" + sha, DeployIDVars: []string{"DEPLOY_ID"},
				WorkflowCommands: true, Run: "https://github.com/acme/web/actions/runs/99", Attempt: 3}},
		{name: "github pull request from a fork: its head, not GitHub's merge", env: vars{"GITHUB_ACTIONS": "true", "GITHUB_ENV": "/tmp/env", "GITHUB_SHA": sha,
			"GITHUB_ACTOR": "ada", "GITHUB_RUN_ATTEMPT": "1", "GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": "testdata/github-pull-request-fork.json",
			"GITHUB_HEAD_REF": "feature/x", "GITHUB_REF": "refs/pull/5/merge", "GITHUB_REPOSITORY": "acme/web", "GITHUB_SERVER_URL": "https://github.com"},
			want: Info{ID: "github", Revision: Field{prHead, "GITHUB_EVENT_PATH pull_request.head.sha"}, LocalUsername: Field{"ada", "GITHUB_ACTOR"},
				Branch: Field{"feature/x", "GITHUB_HEAD_REF"}, Repository: Field{"acme/web", "GITHUB_REPOSITORY"}, DeployIDVars: []string{"DEPLOY_ID"},
				CommitURL: "https://github.com/acme/web/commit/" + prHead, WorkflowCommands: true, SecretsHint: forkHint, Attempt: 1}},
		{name: "github pull_request_target: the pull request's head, not the base branch's", env: vars{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": "/tmp/out",
			"GITHUB_SHA": sha, "GITHUB_EVENT_NAME": "pull_request_target", "GITHUB_EVENT_PATH": "testdata/github-pull-request-fork.json", "GITHUB_ACTOR": "dependabot[bot]"},
			want: Info{ID: "github", Revision: Field{prHead, "GITHUB_EVENT_PATH pull_request.head.sha"}, LocalUsername: Field{"dependabot[bot]", "GITHUB_ACTOR"},
				DeployIDVars: []string{"DEPLOY_ID"}, WorkflowCommands: true, SecretsHint: dependabotHint}},
		{name: "github deployment_status failure of a preview, by a bot", env: vars{"GITHUB_ACTIONS": "true", "GITHUB_ENV": "/tmp/env", "GITHUB_SHA": sha,
			"GITHUB_EVENT_NAME": "deployment_status", "GITHUB_EVENT_PATH": "testdata/github-deployment-status-failure.json",
			"GITHUB_TRIGGERING_ACTOR": "vercel[bot]", "GITHUB_ACTOR": "vercel[bot]"},
			want: Info{ID: "github", Revision: Field{"de9100000000000000000000000000000000000a", "GITHUB_EVENT_PATH deployment.sha"},
				LocalUsername: Field{"vercel[bot]", "GITHUB_TRIGGERING_ACTOR"}, Environment: Field{"staging", "GITHUB_EVENT_PATH deployment.environment"},
				Status: Field{"failure", "GITHUB_EVENT_PATH deployment_status.state"}, DeployIDVars: []string{"DEPLOY_ID"}, WorkflowCommands: true}},
		{name: "github workflow_run: the run's commit, not the default branch's head", env: vars{"GITHUB_ACTIONS": "true", "GITHUB_ENV": "/tmp/env",
			"GITHUB_SHA": sha, "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_NAME": "workflow_run", "GITHUB_EVENT_PATH": "testdata/github-workflow-run.json"},
			want: Info{ID: "github", Revision: Field{"7e57ed0000000000000000000000000000000003", "GITHUB_EVENT_PATH workflow_run.head_sha"},
				Branch: Field{"release/2.x", "GITHUB_EVENT_PATH workflow_run.head_branch"}, DeployIDVars: []string{"DEPLOY_ID"}, WorkflowCommands: true}},
		{name: "github comment on a pull request: no commit of it", env: vars{"GITHUB_ACTIONS": "true", "GITHUB_ENV": "/tmp/env",
			"GITHUB_SHA": sha, "GITHUB_EVENT_NAME": "issue_comment", "GITHUB_EVENT_PATH": "testdata/github-issue-comment.json"},
			want: Info{ID: "github", DeployIDVars: []string{"DEPLOY_ID"}, WorkflowCommands: true,
				RevisionHint: "a comment on a pull request names no commit of it: check the pull request out (actions/checkout with ref: refs/pull/N/head), or pass the revision"}},
		{name: "github check_run", env: vars{"GITHUB_ACTIONS": "true", "GITHUB_ENV": "/tmp/env", "GITHUB_SHA": sha, "GITHUB_EVENT_NAME": "check_run",
			"GITHUB_EVENT_PATH": "testdata/github-check-run.json"},
			want: Info{ID: "github", Revision: Field{prHead, "GITHUB_EVENT_PATH check_run.head_sha"}, DeployIDVars: []string{"DEPLOY_ID"}, WorkflowCommands: true}},
		{name: "github tag", env: vars{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": "/tmp/out", "GITHUB_SHA": sha, "GITHUB_REF": "refs/tags/v1.0.0"},
			want: Info{ID: "github", Revision: Field{sha, "GITHUB_SHA"}, DeployIDVars: []string{"DEPLOY_ID"}, WorkflowCommands: true}},
		{name: "act: no placeholder user nor run", env: vars{"ACT": "true", "GITHUB_ACTIONS": "true", "GITHUB_ENV": "/var/run/act/workflow/envs.txt",
			"GITHUB_SHA": sha, "GITHUB_ACTOR": "nektos/act", "GITHUB_RUN_ID": "1", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/web"},
			want: Info{ID: "github", Revision: Field{sha, "GITHUB_SHA"}, Repository: Field{"acme/web", "GITHUB_REPOSITORY"},
				CommitURL: "https://github.com/acme/web/commit/" + sha, DeployIDVars: []string{"DEPLOY_ID"}, WorkflowCommands: true}},
		{name: "github dump", file: "github-actions.env", want: Info{ID: "github", Revision: Field{dumpSHA, "GITHUB_SHA"},
			LocalUsername: Field{"PhilippHeuer", "GITHUB_TRIGGERING_ACTOR"},
			Comment:       Field{"https://github.com/cidverse/cienvsamples/actions/runs/11960822866", "GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID"},
			Branch:        Field{"main", "GITHUB_REF"}, Repository: Field{"cidverse/cienvsamples", "GITHUB_REPOSITORY"},
			CommitURL: "https://github.com/cidverse/cienvsamples/commit/" + dumpSHA, DeployIDVars: []string{"DEPLOY_ID"}, WorkflowCommands: true,
			Run: "https://github.com/cidverse/cienvsamples/actions/runs/11960822866", Attempt: 1}},
		{name: "gitlab", env: vars{"GITLAB_CI": "true", "CI": "true", "CI_COMMIT_SHA": sha, "GITLAB_USER_LOGIN": "ada",
			"CI_COMMIT_AUTHOR": "Ada Lovelace <ada@example.com>", "CI_PIPELINE_URL": "https://gitlab.com/acme/web/-/pipelines/1555",
			"CI_JOB_URL": "https://gitlab.com/acme/web/-/jobs/8440", "CI_ENVIRONMENT_NAME": "production", "CI_COMMIT_BRANCH": "main",
			"CI_COMMIT_REF_NAME": "main", "CI_PROJECT_PATH": "acme/web", "CI_PROJECT_URL": "https://gitlab.com/acme/web"},
			want: Info{ID: "gitlab", Revision: Field{sha, "CI_COMMIT_SHA"}, LocalUsername: Field{"ada", "GITLAB_USER_LOGIN"},
				Comment: Field{"https://gitlab.com/acme/web/-/pipelines/1555", "CI_PIPELINE_URL"}, Environment: Field{"production", "CI_ENVIRONMENT_NAME"},
				Branch: Field{"main", "CI_COMMIT_BRANCH"}, Repository: Field{"acme/web", "CI_PROJECT_PATH"}, CommitURL: "https://gitlab.com/acme/web/-/commit/" + sha}},
		{name: "gitlab tag pipeline with blanks", env: vars{"GITLAB_CI": "true", "CI_COMMIT_SHA": sha, "CI_PIPELINE_URL": "",
			"CI_JOB_URL": "https://gitlab.com/acme/web/-/jobs/8440", "CI_COMMIT_REF_NAME": "v1.2.0", "CI_COMMIT_TAG": "v1.2.0", "CI_PROJECT_PATH": " ",
			"CI_REPOSITORY_URL": "https://gitlab-ci-token:glcbt-secret@gitlab.com/acme/web.git"},
			want: Info{ID: "gitlab", Revision: Field{sha, "CI_COMMIT_SHA"}, Comment: Field{"https://gitlab.com/acme/web/-/jobs/8440", "CI_JOB_URL"},
				Repository: Field{"https://gitlab.com/acme/web.git", "CI_REPOSITORY_URL"}}},
		{name: "gitlab merge request pipeline", env: vars{"GITLAB_CI": "true", "CI_COMMIT_SHA": sha, "CI_COMMIT_REF_NAME": "feature", "CI_JOB_STATUS": "running"},
			want: Info{ID: "gitlab", Revision: Field{sha, "CI_COMMIT_SHA"}, Branch: Field{"feature", "CI_COMMIT_REF_NAME"}}},
		{name: "gitlab merged-results pipeline, after_script of a failed review job on an unprotected ref", env: vars{"GITLAB_CI": "true",
			"CI_COMMIT_SHA": "1111111111111111111111111111111111111111", "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA": sha, "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "feature",
			"CI_COMMIT_REF_NAME": "refs/merge-requests/5/merge", "CI_PROJECT_URL": "https://gitlab.com/acme/web", "CI_JOB_STATUS": "failed",
			"CI_ENVIRONMENT_NAME": "review/feature", "CI_COMMIT_REF_PROTECTED": "false"},
			want: Info{ID: "gitlab", Revision: Field{sha, "CI_MERGE_REQUEST_SOURCE_BRANCH_SHA"}, Environment: Field{"review/feature", "CI_ENVIRONMENT_NAME"},
				Status: Field{"failed", "CI_JOB_STATUS"}, Branch: Field{"feature", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME"},
				CommitURL: "https://gitlab.com/acme/web/-/commit/" + sha, SecretsHint: gitlabUnprotected}},
		{name: "gitlab-ci-local: no placeholder user nor pipeline URL", env: vars{"GITLAB_CI": "false", "CI": "true", "CI_COMMIT_SHA": sha,
			"CI_PIPELINE_ID": "1001", "CI_PROJECT_URL": "https://gitlab.com/acme/web", "CI_PROJECT_PATH": "acme/web", "GITLAB_USER_LOGIN": "local",
			"CI_PIPELINE_URL": "https://gitlab.com/acme/web/pipelines/1", "CI_JOB_URL": "https://gitlab.com/acme/web/-/jobs/1", "CI_ENVIRONMENT_NAME": "review/main"},
			want: Info{ID: "gitlab", Revision: Field{sha, "CI_COMMIT_SHA"}, Environment: Field{"review/main", "CI_ENVIRONMENT_NAME"},
				Repository: Field{"acme/web", "CI_PROJECT_PATH"}, CommitURL: "https://gitlab.com/acme/web/-/commit/" + sha}},
		{name: "harness pull request", env: vars{"DRONE": "true", "CI": "true", "HARNESS_BUILD_ID": "49", "HARNESS_WORKSPACE": "/harness",
			"DRONE_WORKSPACE": "/harness", "DRONE_COMMIT_SHA": sha, "DRONE_COMMIT_AUTHOR": "ada", "DRONE_BUILD_EVENT": "pull_request",
			"DRONE_BUILD_LINK":    "https://app.harness.io/ng/account/a1/module/ci/orgs/default/projects/web/pipelines/deploy/executions/Xq3/pipeline",
			"DRONE_SOURCE_BRANCH": "feature", "DRONE_BRANCH": "main", "DRONE_REPO": "acme/web"},
			want: Info{ID: "harness", Revision: Field{sha, "DRONE_COMMIT_SHA"}, LocalUsername: Field{"ada", "DRONE_COMMIT_AUTHOR"},
				Comment: Field{"https://app.harness.io/ng/account/a1/module/ci/orgs/default/projects/web/pipelines/deploy/executions/Xq3/pipeline", "DRONE_BUILD_LINK"},
				Branch:  Field{"feature", "DRONE_SOURCE_BRANCH"}, Repository: Field{"acme/web", "DRONE_REPO"}, SharesWorkspace: true, JoinsLists: true, Workspace: "/harness"}},
		{name: "drone promotion, after a failed step", env: vars{"DRONE": "true", "CI": "true", "DRONE_COMMIT_SHA": " ", "DRONE_COMMIT": sha, "DRONE_COMMIT_AUTHOR": "ada",
			"DRONE_BUILD_EVENT": "promote", "DRONE_BUILD_TRIGGER": "grace", "DRONE_BUILD_STATUS": "failure",
			"DRONE_BUILD_LINK": "https://drone.example.com/acme/web/42", "DRONE_DEPLOY_TO": "production", "DRONE_SOURCE_BRANCH": "main",
			"DRONE_BRANCH": "main", "DRONE_REPO": "acme/web", "DRONE_WORKSPACE": "/drone/src"},
			want: Info{ID: "drone", Revision: Field{sha, "DRONE_COMMIT"}, LocalUsername: Field{"grace", "DRONE_BUILD_TRIGGER"},
				Comment: Field{"https://drone.example.com/acme/web/42", "DRONE_BUILD_LINK"}, Environment: Field{"production", "DRONE_DEPLOY_TO"},
				Status: Field{"failure", "DRONE_BUILD_STATUS"},
				Branch: Field{"main", "DRONE_SOURCE_BRANCH"}, Repository: Field{"acme/web", "DRONE_REPO"}, SharesWorkspace: true, JoinsLists: true, Workspace: "/drone/src"}},
		{name: "drone pull request", env: vars{"DRONE": "true", "DRONE_COMMIT_SHA": sha, "DRONE_SOURCE_BRANCH": "feature", "DRONE_BRANCH": "main"},
			want: Info{ID: "drone", Revision: Field{sha, "DRONE_COMMIT_SHA"}, Branch: Field{"feature", "DRONE_SOURCE_BRANCH"}, SharesWorkspace: true, JoinsLists: true}},
		{name: "drone build started by hand", env: vars{"DRONE": "true", "DRONE_BUILD_EVENT": "custom", "DRONE_BUILD_TRIGGER": "grace", "DRONE_COMMIT_AUTHOR": "ada"},
			want: Info{ID: "drone", LocalUsername: Field{"grace", "DRONE_BUILD_TRIGGER"}, SharesWorkspace: true, JoinsLists: true}},
		{name: "drone cron promotion: @cron is no person", env: vars{"DRONE": "true", "DRONE_BUILD_EVENT": "promote", "DRONE_BUILD_TRIGGER": "@cron",
			"DRONE_COMMIT_AUTHOR": "ada"},
			want: Info{ID: "drone", LocalUsername: Field{"ada", "DRONE_COMMIT_AUTHOR"}, SharesWorkspace: true, JoinsLists: true}},
		{name: "heroku release", env: vars{"DYNO": "release.1234", "HEROKU_APP_NAME": "my-app", "HEROKU_APP_ID": "9daa2797-e49b-4624-932f-ec3f9688e3da",
			"HEROKU_RELEASE_VERSION": "v42", "HEROKU_BUILD_COMMIT": sha, "HEROKU_SLUG_COMMIT": "1111111111111111111111111111111111111111",
			"HEROKU_BUILD_DESCRIPTION": "Deploy 0a1b2c3"},
			want: Info{ID: "heroku", Revision: Field{sha, "HEROKU_BUILD_COMMIT"},
				Comment:     Field{"Heroku release v42 of my-app: " + heroku, "HEROKU_RELEASE_VERSION, HEROKU_APP_NAME"},
				FailOnError: never, SkipsUnchangedReleases: true}},
		{name: "heroku rollback: the old slug's variables, nothing says rollback", env: vars{"DYNO": "release.77", "HEROKU_APP_NAME": "my-app",
			"HEROKU_RELEASE_VERSION": "v43", "HEROKU_SLUG_COMMIT": sha, "HEROKU_SLUG_DESCRIPTION": "Deploy 0a1b2c3"},
			want: Info{ID: "heroku", Revision: Field{sha, "HEROKU_SLUG_COMMIT"},
				Comment:     Field{"Heroku release v43 of my-app: " + heroku, "HEROKU_RELEASE_VERSION, HEROKU_APP_NAME"},
				FailOnError: never, SkipsUnchangedReleases: true}},
		{name: "heroku ci test run", env: vars{"CI": "true", "DYNO": "test.1", "HEROKU_TEST_RUN_ID": "c6a1e5ea-6b5d-4bb0-9d0c-1a2b3c4d5e6f",
			"HEROKU_TEST_RUN_BRANCH": "feature/login", "HEROKU_TEST_RUN_COMMIT_VERSION": sha},
			want: Info{ID: "heroku-ci", Revision: Field{sha, "HEROKU_TEST_RUN_COMMIT_VERSION"}, Branch: Field{"feature/login", "HEROKU_TEST_RUN_BRANCH"}}},
		{name: "heroku release phase without dyno metadata", env: vars{"DYNO": "release.3", "PORT": "5000", "ROLLBAR_ACCESS_TOKEN": "secret"},
			want: Info{ID: "heroku", FailOnError: never, SkipsUnchangedReleases: true, RevisionHint: "Heroku's dyno metadata is off: " +
				"`heroku labs:enable runtime-dyno-metadata -a <app>` and `heroku labs:enable runtime-dyno-build-metadata -a <app>` turn it on from the next release"}},
		{name: "heroku release phase without dyno metadata, the buildpack's SOURCE_VERSION", env: vars{"DYNO": "release.4", "SOURCE_VERSION": sha},
			want: Info{ID: "heroku", Revision: Field{sha, "SOURCE_VERSION"}, FailOnError: never, SkipsUnchangedReleases: true}},
		{name: "heroku dyno with metadata but no build metadata", env: vars{"DYNO": "web.1", "HEROKU_APP_NAME": "my-app"},
			want: Info{ID: "heroku", Comment: Field{"Heroku release of my-app: " + heroku, "HEROKU_APP_NAME"}, FailOnError: never, SkipsUnchangedReleases: true,
				RevisionHint: "Heroku's build metadata is off: `heroku labs:enable runtime-dyno-build-metadata -a my-app` turns it on from the next release"}},
		{name: "circleci scheduled", env: vars{"CIRCLECI": "true", "CIRCLE_SHA1": sha, "CIRCLE_BUILD_URL": "https://app.circleci.com/jobs/github/acme/web/9",
			"CIRCLE_BRANCH": "main", "CIRCLE_PROJECT_USERNAME": "acme", "CIRCLE_PROJECT_REPONAME": "web"},
			want: Info{ID: "circleci", Revision: Field{sha, "CIRCLE_SHA1"}, Comment: Field{"https://app.circleci.com/jobs/github/acme/web/9", "CIRCLE_BUILD_URL"},
				Branch: Field{"main", "CIRCLE_BRANCH"}, Repository: Field{"acme/web", "CIRCLE_PROJECT_USERNAME/CIRCLE_PROJECT_REPONAME"}}},
		{name: "circleci dump", file: "circleci.env", want: Info{ID: "circleci", Revision: Field{dumpSHA, "CIRCLE_SHA1"},
			LocalUsername: Field{"circle@philippheuer.de", "CIRCLE_USERNAME"},
			Comment:       Field{"https://app.circleci.com/jobs/circleci/0d12c8fa-cf92-415b-a14c-4787b20c52e2/aa4638b8-064e-4321-b1ee-794f3028b01f/9", "CIRCLE_BUILD_URL"},
			Branch:        Field{"main", "CIRCLE_BRANCH"}, Repository: Field{"CIDVerse/cienvsamples", "CIRCLE_PROJECT_USERNAME/CIRCLE_PROJECT_REPONAME"}}},
		{name: "bitbucket after-script of a failed step", env: vars{"BITBUCKET_BUILD_NUMBER": "12", "BITBUCKET_COMMIT": sha, "BITBUCKET_EXIT_CODE": "2"},
			want: Info{ID: "bitbucket", Revision: Field{sha, "BITBUCKET_COMMIT"}, Status: Field{"failure", "BITBUCKET_EXIT_CODE"}}},
		{name: "bitbucket deployment step", env: vars{"BITBUCKET_BUILD_NUMBER": "12", "BITBUCKET_EXIT_CODE": "0", "BITBUCKET_COMMIT": sha, "BITBUCKET_REPO_FULL_NAME": "acme/web",
			"BITBUCKET_STEP_TRIGGERER_UUID": "{6f2e0a7c-1d8b-4c1a-9a57-3f1c2b9e0d11}", "BITBUCKET_BRANCH": "main", "BITBUCKET_DEPLOYMENT_ENVIRONMENT": "production"},
			want: Info{ID: "bitbucket", Revision: Field{sha, "BITBUCKET_COMMIT"},
				Comment:     Field{"https://bitbucket.org/acme/web/pipelines/results/12", "https://bitbucket.org/BITBUCKET_REPO_FULL_NAME/pipelines/results/BITBUCKET_BUILD_NUMBER"},
				Environment: Field{"production", "BITBUCKET_DEPLOYMENT_ENVIRONMENT"}, Status: Field{"success", "BITBUCKET_EXIT_CODE"}, Branch: Field{"main", "BITBUCKET_BRANCH"},
				Repository: Field{"acme/web", "BITBUCKET_REPO_FULL_NAME"}, CommitURL: "https://bitbucket.org/acme/web/commits/" + sha}},
		{name: "jenkins", env: vars{"JENKINS_URL": "https://jenkins.example.com/", "BUILD_ID": "42", "GIT_COMMIT": sha, "BUILD_USER_ID": "ada",
			"BUILD_URL": "https://jenkins.example.com/job/web/42/", "GIT_BRANCH": "origin/main", "GIT_URL": "https://deploy:s3cret@git.example.com/acme/web.git"},
			want: Info{ID: "jenkins", Revision: Field{sha, "GIT_COMMIT"}, LocalUsername: Field{"ada", "BUILD_USER_ID"},
				Comment: Field{"https://jenkins.example.com/job/web/42/", "BUILD_URL"}, Branch: Field{"main", "GIT_BRANCH"},
				Repository: Field{"https://git.example.com/acme/web.git", "GIT_URL"}}},
		{name: "jenkins timer build of a pull request, no controller URL", env: vars{"BUILD_TAG": "jenkins-web-PR-7-3", "BUILD_ID": "3",
			"GIT_COMMIT": sha, "BUILD_USER_ID": "Timer", "BUILD_USER": "Timer Trigger", "CHANGE_AUTHOR": "grace", "GIT_BRANCH": "upstream/release/2.x"},
			want: Info{ID: "jenkins", Revision: Field{sha, "GIT_COMMIT"}, LocalUsername: Field{"grace", "CHANGE_AUTHOR"}, Branch: Field{"release/2.x", "GIT_BRANCH"}}},
		{name: "jenkins multibranch, started by SYSTEM", env: vars{"JENKINS_URL": "https://jenkins.example.com/", "GIT_COMMIT": sha, "BUILD_USER_ID": "SYSTEM",
			"BRANCH_NAME": "feature/login", "GIT_BRANCH": "feature/login"},
			want: Info{ID: "jenkins", Revision: Field{sha, "GIT_COMMIT"}, Branch: Field{"feature/login", "BRANCH_NAME"}}},
		{name: "buildkite", env: vars{"BUILDKITE": "true", "BUILDKITE_COMMIT": sha, "BUILDKITE_BUILD_CREATOR": "Ada Lovelace",
			"BUILDKITE_BUILD_URL": "https://buildkite.com/acme/web/builds/7", "BUILDKITE_BRANCH": "main",
			"BUILDKITE_GITHUB_DEPLOYMENT_ENVIRONMENT": "production", "BUILDKITE_REPO": "git@github.com:acme/web.git"},
			want: Info{ID: "buildkite", Revision: Field{sha, "BUILDKITE_COMMIT"}, LocalUsername: Field{"Ada Lovelace", "BUILDKITE_BUILD_CREATOR"},
				Comment: Field{"https://buildkite.com/acme/web/builds/7", "BUILDKITE_BUILD_URL"}, Environment: Field{"production", "BUILDKITE_GITHUB_DEPLOYMENT_ENVIRONMENT"},
				Branch: Field{"main", "BUILDKITE_BRANCH"}, Repository: Field{"git@github.com:acme/web.git", "BUILDKITE_REPO"}}},
		{name: "buildkite symbolic commit", env: vars{"BUILDKITE": "true", "BUILDKITE_COMMIT": "HEAD", "BUILDKITE_BRANCH": "main"},
			want: Info{ID: "buildkite", Branch: Field{"main", "BUILDKITE_BRANCH"}}},
		{name: "azure scheduled deployment job on a tag", env: vars{"TF_BUILD": "True", "BUILD_SOURCEVERSION": sha, "BUILD_REASON": "Schedule",
			"BUILD_REQUESTEDFOR": `[DefaultCollection]\Project Collection Service Accounts`, "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI": "https://dev.azure.com/acme/",
			"SYSTEM_TEAMPROJECT": "Fabrikam Fiber", "BUILD_BUILDID": "27", "BUILD_BUILDURI": "vstfs:///Build/Build/27", "ENVIRONMENT_NAME": "staging",
			"BUILD_SOURCEBRANCH": "refs/tags/v1.0.0", "BUILD_REPOSITORY_NAME": "web"},
			want: Info{ID: "azure", Revision: Field{sha, "BUILD_SOURCEVERSION"},
				Comment:     Field{"https://dev.azure.com/acme/Fabrikam%20Fiber/_build/results?buildId=27", "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI/SYSTEM_TEAMPROJECT/_build/results?buildId=BUILD_BUILDID"},
				Environment: Field{"staging", "ENVIRONMENT_NAME"}, Repository: Field{"web", "BUILD_REPOSITORY_NAME"}}},
		{name: "azure classic release", env: vars{"SYSTEM_TEAMFOUNDATIONCOLLECTIONURI": "https://dev.azure.com/acme/", "SYSTEM_TEAMPROJECT": "web",
			"RELEASE_RELEASEWEBURL": "https://dev.azure.com/acme/web/_release?releaseId=5", "RELEASE_ENVIRONMENTNAME": "production",
			"RELEASE_DEPLOYMENT_REQUESTEDFOR": "Grace Hopper", "BUILD_SOURCEVERSION": sha, "BUILD_REQUESTEDFOR": "Ada Lovelace"},
			want: Info{ID: "azure", Revision: Field{sha, "BUILD_SOURCEVERSION"}, LocalUsername: Field{"Grace Hopper", "RELEASE_DEPLOYMENT_REQUESTEDFOR"},
				Comment: Field{"https://dev.azure.com/acme/web/_release?releaseId=5", "RELEASE_RELEASEWEBURL"}, Environment: Field{"production", "RELEASE_ENVIRONMENTNAME"}}},
		{name: "azure pull request, a step after a failure", env: vars{"TF_BUILD": "True", "BUILD_SOURCEVERSION": "1111111111111111111111111111111111111111",
			"SYSTEM_PULLREQUEST_SOURCECOMMITID": sha, "AGENT_JOBSTATUS": "Failed"},
			want: Info{ID: "azure", Revision: Field{sha, "SYSTEM_PULLREQUEST_SOURCECOMMITID"}, Status: Field{"Failed", "AGENT_JOBSTATUS"}}},
		{name: "azure release started by a CI-triggered build", env: vars{"TF_BUILD": "True", "BUILD_SOURCEVERSION": sha,
			"RELEASE_DEPLOYMENT_REQUESTEDFOR": "Project Collection Build Service (acme)", "BUILD_REQUESTEDFOR": "Microsoft.VisualStudio.Services.TFS"},
			want: Info{ID: "azure", Revision: Field{sha, "BUILD_SOURCEVERSION"}}},
		{name: "azure dump", file: "azure-devops.env", want: Info{ID: "azure", Revision: Field{dumpSHA, "BUILD_SOURCEVERSION"},
			LocalUsername: Field{"PhilippHeuer", "BUILD_SOURCEVERSIONAUTHOR"}, Status: Field{"Succeeded", "AGENT_JOBSTATUS"},
			Comment: Field{"https://heuer.visualstudio.com/cienvsamples/_build/results?buildId=27", "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI/SYSTEM_TEAMPROJECT/_build/results?buildId=BUILD_BUILDID"},
			Branch:  Field{"main", "BUILD_SOURCEBRANCH"}, Repository: Field{"cidverse/cienvsamples", "BUILD_REPOSITORY_NAME"}}},
		{name: "travis pull request", env: vars{"TRAVIS": "true", "TRAVIS_TEST_RESULT": "1", "TRAVIS_COMMIT": "1111111111111111111111111111111111111111", "TRAVIS_PULL_REQUEST_SHA": sha, "TRAVIS_BUILD_WEB_URL": "https://app.travis-ci.com/acme/web/builds/1",
			"TRAVIS_BRANCH": "main", "TRAVIS_PULL_REQUEST_BRANCH": "feature", "TRAVIS_REPO_SLUG": "acme/web"},
			want: Info{ID: "travis", Revision: Field{sha, "TRAVIS_PULL_REQUEST_SHA"}, Status: Field{"failure", "TRAVIS_TEST_RESULT"}, Comment: Field{"https://app.travis-ci.com/acme/web/builds/1", "TRAVIS_BUILD_WEB_URL"},
				Branch: Field{"feature", "TRAVIS_PULL_REQUEST_BRANCH"}, Repository: Field{"acme/web", "TRAVIS_REPO_SLUG"}}},
		{name: "codebuild without CODEBUILD_BUILD_URL", env: vars{"CODEBUILD_BUILD_ID": "web:4b1f", "CODEBUILD_BUILD_SUCCEEDING": "0", "CODEBUILD_RESOLVED_SOURCE_VERSION": sha,
			"CODEBUILD_INITIATOR": "GitHub-Hookshot/abc", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1",
			"CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/main", "CODEBUILD_SOURCE_REPO_URL": "https://github.com/acme/web"},
			want: Info{ID: "codebuild", Revision: Field{sha, "CODEBUILD_RESOLVED_SOURCE_VERSION"}, Status: Field{"failure", "CODEBUILD_BUILD_SUCCEEDING"},
				Comment: Field{"https://eu-west-1.console.aws.amazon.com/codebuild/home?region=eu-west-1#/builds/web:4b1f/view/new",
					"https://AWS_REGION.console.aws.amazon.com/codebuild/home?region=AWS_REGION#/builds/CODEBUILD_BUILD_ID/view/new"},
				Branch: Field{"main", "CODEBUILD_WEBHOOK_HEAD_REF"}, Repository: Field{"https://github.com/acme/web", "CODEBUILD_SOURCE_REPO_URL"}}},
		{name: "semaphore promotion", env: vars{"SEMAPHORE": "true", "SEMAPHORE_GIT_SHA": sha, "SEMAPHORE_GIT_COMMITTER": "ada",
			"SEMAPHORE_PIPELINE_PROMOTED_BY": "grace", "SEMAPHORE_PIPELINE_PROMOTION": "true", "SEMAPHORE_ORGANIZATION_URL": "https://acme.semaphoreci.com",
			"SEMAPHORE_WORKFLOW_ID": "65b1", "SEMAPHORE_GIT_BRANCH": "main", "SEMAPHORE_GIT_REPO_SLUG": "acme/web"},
			want: Info{ID: "semaphore", Revision: Field{sha, "SEMAPHORE_GIT_SHA"}, LocalUsername: Field{"grace", "SEMAPHORE_PIPELINE_PROMOTED_BY"},
				Comment: Field{"https://acme.semaphoreci.com/workflows/65b1", "SEMAPHORE_ORGANIZATION_URL/workflows/SEMAPHORE_WORKFLOW_ID"},
				Branch:  Field{"main", "SEMAPHORE_GIT_BRANCH"}, Repository: Field{"acme/web", "SEMAPHORE_GIT_REPO_SLUG"}}},
		{name: "semaphore auto-promotion", env: vars{"SEMAPHORE": "true", "SEMAPHORE_PIPELINE_PROMOTED_BY": "auto-promotion", "SEMAPHORE_GIT_COMMITTER": "ada"},
			want: Info{ID: "semaphore", LocalUsername: Field{"ada", "SEMAPHORE_GIT_COMMITTER"}}},
		{name: "codefresh", env: vars{"CF_BUILD_ID": "5f1", "CF_REVISION": sha, "CF_BUILD_INITIATOR": "ada", "CF_BUILD_URL": "https://g.codefresh.io/build/5f1",
			"CF_BRANCH": "main", "CF_REPO_OWNER": "acme", "CF_REPO_NAME": "web"},
			want: Info{ID: "codefresh", Revision: Field{sha, "CF_REVISION"}, LocalUsername: Field{"ada", "CF_BUILD_INITIATOR"},
				Comment: Field{"https://g.codefresh.io/build/5f1", "CF_BUILD_URL"}, Branch: Field{"main", "CF_BRANCH"}, Repository: Field{"acme/web", "CF_REPO_OWNER/CF_REPO_NAME"}}},
		{name: "bitrise", env: vars{"BITRISE_IO": "true", "BITRISE_GIT_COMMIT": "", "GIT_CLONE_COMMIT_HASH": sha,
			"BITRISE_BUILD_URL": "https://app.bitrise.io/build/9a8b", "BITRISE_GIT_BRANCH": "main", "GIT_REPOSITORY_URL": "git@github.com:acme/web.git"},
			want: Info{ID: "bitrise", Revision: Field{sha, "GIT_CLONE_COMMIT_HASH"}, Comment: Field{"https://app.bitrise.io/build/9a8b", "BITRISE_BUILD_URL"},
				Branch: Field{"main", "BITRISE_GIT_BRANCH"}, Repository: Field{"git@github.com:acme/web.git", "GIT_REPOSITORY_URL"}}},
		{name: "teamcity", env: vars{"TEAMCITY_VERSION": "2024.12", "BUILD_VCS_NUMBER": sha, "BUILD_NUMBER": "42"},
			want: Info{ID: "teamcity", Revision: Field{sha, "BUILD_VCS_NUMBER"}}},
		{name: "netlify deploy preview", env: vars{"NETLIFY": "true", "COMMIT_REF": sha, "SITE_NAME": "acme-web", "DEPLOY_ID": "65f0c3a1b2e4d5000812f7aa",
			"CONTEXT": "deploy-preview", "HEAD": "feature", "BRANCH": "pull/5/head", "REPOSITORY_URL": "https://x-access-token:ghs_secret@github.com/acme/web"},
			want: Info{ID: "netlify", Revision: Field{sha, "COMMIT_REF"},
				Comment:     Field{"https://app.netlify.com/projects/acme-web/deploys/65f0c3a1b2e4d5000812f7aa", "https://app.netlify.com/projects/SITE_NAME/deploys/DEPLOY_ID"},
				Environment: Field{"deploy-preview", "CONTEXT"}, Branch: Field{"feature", "HEAD"}, Repository: Field{"https://github.com/acme/web", "REPOSITORY_URL"}}},
		{name: "vercel", env: vars{"VERCEL": "1", "CI": "1", "VERCEL_ENV": "production", "VERCEL_GIT_COMMIT_SHA": sha, "VERCEL_GIT_COMMIT_AUTHOR_LOGIN": "ada",
			"VERCEL_GIT_COMMIT_REF": "main", "VERCEL_GIT_REPO_OWNER": "acme", "VERCEL_GIT_REPO_SLUG": "web", "VERCEL_URL": "web-abc.vercel.app"},
			want: Info{ID: "vercel", Revision: Field{sha, "VERCEL_GIT_COMMIT_SHA"}, LocalUsername: Field{"ada", "VERCEL_GIT_COMMIT_AUTHOR_LOGIN"},
				Environment: Field{"production", "VERCEL_ENV"}, Branch: Field{"main", "VERCEL_GIT_COMMIT_REF"}, Repository: Field{"acme/web", "VERCEL_GIT_REPO_OWNER/VERCEL_GIT_REPO_SLUG"}}},
		{name: "render", env: vars{"RENDER": "true", "RENDER_GIT_COMMIT": sha, "RENDER_GIT_BRANCH": "main", "RENDER_GIT_REPO_SLUG": "acme/web", "RENDER_SERVICE_NAME": "web"},
			want: Info{ID: "render", Revision: Field{sha, "RENDER_GIT_COMMIT"}, Branch: Field{"main", "RENDER_GIT_BRANCH"}, Repository: Field{"acme/web", "RENDER_GIT_REPO_SLUG"}}},
		{name: "appveyor pull request", env: vars{"APPVEYOR": "True", "CI": "True", "APPVEYOR_URL": "https://ci.appveyor.com", "APPVEYOR_ACCOUNT_NAME": "tonyo",
			"APPVEYOR_PROJECT_SLUG": "alpaga", "APPVEYOR_BUILD_VERSION": "1.0.7", "APPVEYOR_REPO_COMMIT": sha, "APPVEYOR_REPO_COMMIT_AUTHOR": "Anton Ovchinnikov",
			"APPVEYOR_PULL_REQUEST_NUMBER": "5", "APPVEYOR_PULL_REQUEST_HEAD_REPO_BRANCH": "pr-vicugna", "APPVEYOR_REPO_BRANCH": "master", "APPVEYOR_REPO_NAME": "tonyo/alpaga"},
			want: Info{ID: "appveyor", Revision: Field{sha, "APPVEYOR_REPO_COMMIT"}, LocalUsername: Field{"Anton Ovchinnikov", "APPVEYOR_REPO_COMMIT_AUTHOR"},
				Comment: Field{"https://ci.appveyor.com/project/tonyo/alpaga/build/1.0.7", "APPVEYOR_URL/project/APPVEYOR_ACCOUNT_NAME/APPVEYOR_PROJECT_SLUG/build/APPVEYOR_BUILD_VERSION"},
				Branch:  Field{"pr-vicugna", "APPVEYOR_PULL_REQUEST_HEAD_REPO_BRANCH"}, Repository: Field{"tonyo/alpaga", "APPVEYOR_REPO_NAME"}}},
		{name: "railway", env: vars{"RAILWAY_PROJECT_ID": "8e9f", "RAILWAY_ENVIRONMENT_ID": "1c2d", "RAILWAY_ENVIRONMENT_NAME": "staging",
			"RAILWAY_DEPLOYMENT_ID": "5a6b", "RAILWAY_GIT_COMMIT_SHA": sha, "RAILWAY_GIT_AUTHOR": "gschier", "RAILWAY_GIT_BRANCH": "main",
			"RAILWAY_GIT_REPO_OWNER": "mycompany", "RAILWAY_GIT_REPO_NAME": "myproject"},
			want: Info{ID: "railway", Revision: Field{sha, "RAILWAY_GIT_COMMIT_SHA"}, LocalUsername: Field{"gschier", "RAILWAY_GIT_AUTHOR"},
				Environment: Field{"staging", "RAILWAY_ENVIRONMENT_NAME"}, Branch: Field{"main", "RAILWAY_GIT_BRANCH"},
				Repository: Field{"mycompany/myproject", "RAILWAY_GIT_REPO_OWNER/RAILWAY_GIT_REPO_NAME"}}},
		{name: "cloudflare pages", env: vars{"CF_PAGES": "1", "CI": "true", "CF_PAGES_COMMIT_SHA": sha, "CF_PAGES_BRANCH": "main", "CF_PAGES_URL": "https://4c9f1e2a.acme-web.pages.dev"},
			want: Info{ID: "cloudflare-pages", Revision: Field{sha, "CF_PAGES_COMMIT_SHA"}, Comment: Field{"https://4c9f1e2a.acme-web.pages.dev", "CF_PAGES_URL"}, Branch: Field{"main", "CF_PAGES_BRANCH"}}},
		{name: "cloudflare workers builds", env: vars{"WORKERS_CI": "1", "CI": "true", "WORKERS_CI_BUILD_UUID": "b2a1", "WORKERS_CI_COMMIT_SHA": sha, "WORKERS_CI_BRANCH": "main"},
			want: Info{ID: "cloudflare-workers", Revision: Field{sha, "WORKERS_CI_COMMIT_SHA"}, Branch: Field{"main", "WORKERS_CI_BRANCH"}}},
		{name: "buddy pull request, older variable names", env: vars{"BUDDY": "true", "BUDDY_WORKSPACE_ID": "1", "BUDDY_EXECUTION_REVISION": sha,
			"BUDDY_EXECUTION_URL": "https://app.buddy.works/myworkspace/my-project/pipelines/pipeline/1/execution/5d9dc42c",
			"BUDDY_INVOKER_NAME":  "Mike Benson", "BUDDY_EXECUTION_REVISION_COMMITTER_NAME": "Ada Lovelace", "BUDDY_EXECUTION_BRANCH": "main",
			"BUDDY_EXECUTION_PULL_REQUEST_HEAD_BRANCH": "feature/pr-branch", "BUDDY_REPO_SLUG": "buddyworks/my-project"},
			want: Info{ID: "buddy", Revision: Field{sha, "BUDDY_EXECUTION_REVISION"}, LocalUsername: Field{"Mike Benson", "BUDDY_INVOKER_NAME"},
				Comment: Field{"https://app.buddy.works/myworkspace/my-project/pipelines/pipeline/1/execution/5d9dc42c", "BUDDY_EXECUTION_URL"},
				Branch:  Field{"feature/pr-branch", "BUDDY_EXECUTION_PULL_REQUEST_HEAD_BRANCH"}, Repository: Field{"buddyworks/my-project", "BUDDY_REPO_SLUG"}}},
		{name: "codemagic", env: vars{"CI": "true", "CM_BUILD_ID": "64c1f", "CM_PROJECT_ID": "5e7a9", "CM_COMMIT": sha, "CM_BRANCH": "main", "CM_REPO_SLUG": "acme/app"},
			want: Info{ID: "codemagic", Revision: Field{sha, "CM_COMMIT"}, Comment: Field{"https://codemagic.io/app/5e7a9/build/64c1f", "https://codemagic.io/app/CM_PROJECT_ID/build/CM_BUILD_ID"},
				Branch: Field{"main", "CM_BRANCH"}, Repository: Field{"acme/app", "CM_REPO_SLUG"}}},
		{name: "xcode cloud", env: vars{"CI": "TRUE", "CI_XCODE_CLOUD": "TRUE", "CI_XCODE_PROJECT": "App.xcodeproj", "CI_COMMIT": sha, "CI_BRANCH": "main",
			"CI_BUILD_ID": "3f2e", "CI_BUILD_URL": "https://appstoreconnect.apple.com/teams/t1/apps/42/ci/builds/3f2e/summary"},
			want: Info{ID: "xcode-cloud", Revision: Field{sha, "CI_COMMIT"}, Comment: Field{"https://appstoreconnect.apple.com/teams/t1/apps/42/ci/builds/3f2e/summary", "CI_BUILD_URL"},
				Branch: Field{"main", "CI_BRANCH"}}},
		{name: "cirrus", env: vars{"CIRRUS_CI": "true", "CI": "true", "CIRRUS_CHANGE_IN_REPO": sha, "CIRRUS_BUILD_ID": "5230918542639104",
			"CIRRUS_TASK_ID": "6356818449481728", "CIRRUS_BRANCH": "main", "CIRRUS_REPO_FULL_NAME": "acme/web"},
			want: Info{ID: "cirrus", Revision: Field{sha, "CIRRUS_CHANGE_IN_REPO"}, Comment: Field{"https://cirrus-ci.com/build/5230918542639104", "https://cirrus-ci.com/build/CIRRUS_BUILD_ID"},
				Branch: Field{"main", "CIRRUS_BRANCH"}, Repository: Field{"acme/web", "CIRRUS_REPO_FULL_NAME"}}},
		{name: "google cloud build, substitutions mapped", env: vars{"BUILDER_OUTPUT": "/builder/outputs", "COMMIT_SHA": sha, "BUILD_ID": "ce200ea9",
			"PROJECT_ID": "acme-prod", "LOCATION": "us-central1", "BRANCH_NAME": "main", "REPO_FULL_NAME": "acme/web"},
			want: Info{ID: "google-cloud-build", Revision: Field{sha, "COMMIT_SHA"},
				Comment: Field{"https://console.cloud.google.com/cloud-build/builds;region=us-central1/ce200ea9?project=acme-prod",
					"https://console.cloud.google.com/cloud-build/builds;region=LOCATION/BUILD_ID?project=PROJECT_ID"},
				Branch: Field{"main", "BRANCH_NAME"}, Repository: Field{"acme/web", "REPO_FULL_NAME"}}},
		{name: "google cloud build, nothing mapped", env: vars{"BUILDER_OUTPUT": "/builder/outputs"},
			want: Info{ID: "google-cloud-build", RevisionHint: googleCloudBuild.revisionHint}},
	}
	tested := map[string]bool{}
	for _, tt := range tests {
		tested[tt.want.ID] = true
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			lookup, read := env(tt.env), ReadFile(os.ReadFile)
			if tt.file != "" {
				lookup, read = env(loadEnv(t, tt.file)), noFile
			}
			want := tt.want
			for _, p := range providers {
				if p.id == want.ID {
					want.Provider = p.name
				}
			}
			assert.Equal(t, want, Detect(lookup, read))
		})
	}
	for _, p := range providers {
		assert.True(t, tested[p.id], "no environment of %s is tested", p.name)
	}
}

func TestDetectOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  vars
		want string // Info.ID; "" means the zero Info
	}{
		{"woodpecker exec leaks the host CI", vars{"CI": "woodpecker", "GITHUB_ACTIONS": "true", "GITLAB_CI": "true", "DRONE": "true", "CI_COMMIT_SHA": sha}, "woodpecker"},
		{"forgejo sets gitea and github markers", vars{"FORGEJO_ACTIONS": "true", "GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true"}, "forgejo"},
		{"gitea sets GITHUB_ACTIONS", vars{"GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true"}, "gitea"},
		{"a Hudson-era jenkins, BUILD_TAG alone", vars{"BUILD_TAG": "hudson-web-3"}, "jenkins"},
		{"buddy, BUDDY alone", vars{"BUDDY": "true"}, "buddy"},
		{"github", vars{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": "/tmp/out", "CI": "true", "RAILWAY_PROJECT_ID": "8e9f"}, "github"},
		{"an image's GITHUB_ACTIONS in a GitLab job", vars{"GITHUB_ACTIONS": "true", "GITHUB_SHA": sha, "GITLAB_CI": "true", "CI_JOB_ID": "7"}, "gitlab"},
		{"GITHUB_ACTIONS without the runner's command files", vars{"GITHUB_ACTIONS": "true", "GITHUB_SHA": sha, "CI": "true"}, ""},
		{"local gitlab runner, CI_SERVER", vars{"GITLAB_CI": "false", "CI_SERVER": "yes", "CI_PROJECT_URL": "https://gitlab.com/acme/web", "CI_COMMIT_SHA": sha}, "gitlab"},
		{"local gitlab runner, CI_PIPELINE_ID", vars{"CI_PIPELINE_ID": "1", "CI_PROJECT_URL": "https://gitlab.com/acme/web"}, "gitlab"},
		{"CI_SERVER without a project", vars{"GITLAB_CI": "false", "CI_SERVER": "yes"}, ""},
		{"CI_COMMIT_SHA alone", vars{"CI_COMMIT_SHA": sha, "CI": "true", "CI_PIPELINE_URL": "https://ci.example.com/1"}, ""},
		{"xcode cloud's CI_COMMIT", vars{"CI": "TRUE", "CI_COMMIT": sha, "CI_BRANCH": "main"}, ""},
		{"harness sets DRONE", vars{"DRONE": "true", "HARNESS_BUILD_ID": "49"}, "harness"},
		{"a release dyno inside a CI is the CI", vars{"DRONE": "true", "DYNO": "release.1", "HEROKU_APP_NAME": "my-app"}, "drone"},
		{"a dyno without metadata", vars{"DYNO": "web.1"}, ""},
		{"a one-off dyno without metadata", vars{"DYNO": "run.1234"}, ""},
		{"jenkins by HUDSON_URL", vars{"HUDSON_URL": "https://ci.example.com/", "BUILD_ID": "7"}, "jenkins"},
		{"a BUILD_TAG of another CI", vars{"BUILD_TAG": "v1.2.0"}, ""},
		{"azure says True", vars{"TF_BUILD": "True"}, "azure"},
		{"codefresh is not cloudflare", vars{"CF_BUILD_ID": "5f1", "CF_PAGES": ""}, "codefresh"},
		{"buddy by workspace", vars{"BUDDY_WORKSPACE_ID": "1"}, "buddy"},
		{"xcode cloud by project", vars{"CI_XCODE_PROJECT": "App.xcodeproj"}, "xcode-cloud"},
		{"blank is unset", vars{"GITHUB_ACTIONS": " ", "GITLAB_CI": ""}, ""},
		{"CI=false", vars{"CI": "false"}, ""},
		{"nothing", vars{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Detect(env(tt.env), noFile)
			if tt.want == "" {
				assert.Equal(t, Info{}, got)
				return
			}
			assert.Equal(t, tt.want, got.ID)
		})
	}
	assert.Equal(t, Info{}, Detect(nil, nil), "no lookup")
}

func TestGitHubEvent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		readFile   ReadFile
		user, env  Field
	}{
		{"push", "github-push.json", os.ReadFile, Field{"grace", "GITHUB_EVENT_PATH head_commit.committer.username"}, Field{}},
		{"web-flow committer", "github-push-web-flow.json", os.ReadFile, Field{"ada", "GITHUB_EVENT_PATH head_commit.author.username"}, Field{}},
		{"a bot's commit merged by a person", "github-push-bot.json", os.ReadFile, Field{"hubot", "GITHUB_TRIGGERING_ACTOR"}, Field{}},
		{"author without username", "github-push-no-username.json", os.ReadFile, Field{"hubot", "GITHUB_TRIGGERING_ACTOR"}, Field{}},
		{"head_commit null", "github-push-head-commit-null.json", os.ReadFile, Field{"hubot", "GITHUB_TRIGGERING_ACTOR"}, Field{}},
		{"deployment", "github-deployment.json", os.ReadFile, Field{"hubot", "GITHUB_TRIGGERING_ACTOR"}, Field{"staging", "GITHUB_EVENT_PATH deployment.environment"}},
		{"deployment_status", "github-deployment-status.json", os.ReadFile, Field{"hubot", "GITHUB_TRIGGERING_ACTOR"}, Field{"production", "GITHUB_EVENT_PATH deployment.environment"}},
		{"malformed", "github-bad.json", os.ReadFile, Field{"hubot", "GITHUB_TRIGGERING_ACTOR"}, Field{}},
		{"missing", "no-such-event.json", os.ReadFile, Field{"hubot", "GITHUB_TRIGGERING_ACTOR"}, Field{}},
		{"no reader", "github-push.json", nil, Field{"hubot", "GITHUB_TRIGGERING_ACTOR"}, Field{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Detect(env(vars{"GITHUB_ACTIONS": "true", "GITHUB_ENV": "/tmp/env", "GITHUB_ACTOR": "octocat", "GITHUB_TRIGGERING_ACTOR": "hubot",
				"GITHUB_EVENT_PATH": filepath.Join("testdata", tt.path)}), tt.readFile)
			require.Equal(t, "github", got.ID)
			assert.Equal(t, tt.user, got.LocalUsername)
			assert.Equal(t, tt.env, got.Environment)
		})
	}
}

// TestSelect is the ci setting: a provider named, whatever the markers say.
func TestSelect(t *testing.T) {
	t.Parallel()
	image := vars{"GITHUB_ACTIONS": "true", "GITHUB_ENV": "/tmp/env", "GITHUB_SHA": sha, "GITLAB_CI": "true",
		"CI_COMMIT_SHA": "1111111111111111111111111111111111111111", "CI_ENVIRONMENT_NAME": "review/x"}
	got, err := Select("GitLab", env(image), noFile)
	require.NoError(t, err)
	assert.Equal(t, "gitlab", got.ID)
	assert.Equal(t, Field{"review/x", "CI_ENVIRONMENT_NAME"}, got.Environment)
	assert.False(t, got.WorkflowCommands, "no ::add-mask:: in GitLab's log")

	got, err = Select("none", env(image), noFile)
	require.NoError(t, err)
	assert.Equal(t, Info{}, got)

	got, err = Select("", env(image), noFile)
	require.NoError(t, err)
	assert.Equal(t, "github", got.ID, "detected")

	_, err = Select("gitlba", env(image), noFile)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "none, woodpecker, forgejo, gitea, github, gitlab,")
}

func TestStripCredentials(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://gitlab-ci-token:glcbt-secret@gitlab.com/acme/web.git", "https://gitlab.com/acme/web.git"},
		{"https://x-access-token:ghs_secret@github.com/acme/web", "https://github.com/acme/web"},
		{"https://ada@git.example.com/acme/web.git", "https://git.example.com/acme/web.git"},
		{"ssh://git@github.com/acme/web.git", "ssh://github.com/acme/web.git"},
		{"https://example.com/hook?token=abc&env=prod&access_token=def&Password=x&api_key=y", "https://example.com/hook?env=prod"},
		{"https://example.com/x?key=1#frag", "https://example.com/x#frag"},
		{"https://bitbucket.org/acme/web/addon/pipelines/home#!/results/12", "https://bitbucket.org/acme/web/addon/pipelines/home#!/results/12"},
		{"https://dev.azure.com/acme/web/_build/results?buildId=27", "https://dev.azure.com/acme/web/_build/results?buildId=27"},
		{"git@github.com:acme/web.git", "git@github.com:acme/web.git"},
		{"Heroku release v42 of my-app: https://dashboard.heroku.com/apps/my-app/activity", "Heroku release v42 of my-app: https://dashboard.heroku.com/apps/my-app/activity"},
		{"ada@example.com", "ada@example.com"},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, StripCredentials(tt.in), tt.in)
	}
}

func BenchmarkDetect(b *testing.B) {
	event, err := os.ReadFile("testdata/github-push.json")
	require.NoError(b, err)
	readEvent := func(string) ([]byte, error) { return event, nil }
	github := loadEnv(b, "github-actions.env")
	github["GITHUB_EVENT_PATH"] = "event.json"
	cases := []struct {
		name string
		env  vars
		read ReadFile
	}{
		{"github", github, readEvent},
		{"circleci", loadEnv(b, "circleci.env"), noFile},
		{"azure", loadEnv(b, "azure-devops.env"), noFile},
		{"heroku", vars{"DYNO": "release.1", "HEROKU_APP_NAME": "my-app", "HEROKU_RELEASE_VERSION": "v42", "HEROKU_BUILD_COMMIT": sha}, noFile},
		{"none", vars{"CI": "false"}, noFile},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			lookup := env(c.env)
			for b.Loop() {
				Detect(lookup, c.read)
			}
		})
	}
}

// TestGitHubJob: the comment names the job (its check run, which the Action
// passes in as ROLLBAR_CHECK_RUN_ID) and, past the first, the attempt; a
// comment tells which attempt of the run recorded it.
func TestGitHubJob(t *testing.T) {
	t.Parallel()
	run := "https://github.com/acme/web/actions/runs/99"
	for _, c := range []struct {
		attempt, check, comment string
		job                     bool
	}{
		{"1", "", run, false},
		{"2", "", run + "/attempts/2", false},
		{"1", "5501", run + "/job/5501", true},
		{"3", "5507", run + "/job/5507 (attempt 3)", true},
		{"2", "${{ job.check_run_id }}", run + "/attempts/2", false},
	} {
		info := Detect(env(vars{"GITHUB_ACTIONS": "true", "GITHUB_ENV": "/tmp/env", "GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/web",
			"GITHUB_RUN_ID": "99", "GITHUB_RUN_ATTEMPT": c.attempt, "ROLLBAR_CHECK_RUN_ID": c.check}), nil)
		assert.Equal(t, c.comment, info.Comment.Value)
		assert.Equal(t, c.job, info.JobComment, c.comment)
		assert.Equal(t, info.Attempt, info.AttemptOf(info.Comment.Value), c.comment)
	}
	info := Info{Run: run}
	for comment, attempt := range map[string]int{run: 1, run + "/job/4": 1, run + "/attempts/2": 2, run + "/job/9 (attempt 4)": 4,
		run + "0": 0, "https://github.com/acme/web/actions/runs/98": 0, "": 0, run + "/attempts/x": 0,
		run + "/attempts/2 (deployment 7)": 2, run + "/job/9 (attempt 4) (deployment 7)": 4} {
		assert.Equal(t, attempt, info.AttemptOf(comment), comment)
	}
	assert.Zero(t, Info{}.AttemptOf(""), "no run, no attempt")

	// Each state of a deployment starts a run: the comment names the
	// deployment (its id as the payload has it); a deployment event's run is
	// one, and its comment the run's.
	for event, want := range map[string]string{"deployment_status": " (deployment 9007199254740993)", "deployment": ""} {
		info := Detect(env(vars{"GITHUB_ACTIONS": "true", "GITHUB_ENV": "/tmp/env", "GITHUB_SERVER_URL": "https://github.com",
			"GITHUB_REPOSITORY": "acme/web", "GITHUB_RUN_ID": "99", "GITHUB_RUN_ATTEMPT": "2", "GITHUB_EVENT_NAME": event,
			"GITHUB_EVENT_PATH": "testdata/github-deployment-status-failure.json"}), os.ReadFile)
		assert.Equal(t, run+"/attempts/2"+want, info.Comment.Value, event)
		assert.Equal(t, want, info.Deployment, event)
		assert.Equal(t, 2, info.AttemptOf(info.Comment.Value), event)
	}
}

func TestGitLabNotDeploying(t *testing.T) {
	t.Parallel()
	for action, deploys := range map[string]bool{"": true, "start": true, "stop": false, "prepare": true, "verify": true, "access": true} {
		info := Detect(env(vars{"GITLAB_CI": "true", "CI_ENVIRONMENT_ACTION": action}), nil)
		assert.Equal(t, deploys, info.NotDeploying == "", action)
	}
}

// TestForgejoEvents: the runners made after GitHub's read its event
// payload the same way: a fork's pull request, its head and no secrets.
func TestForgejoEvents(t *testing.T) {
	t.Parallel()
	got := Detect(env(vars{"FORGEJO_ACTIONS": "true", "GITHUB_ACTIONS": "true", "GITHUB_SHA": sha, "GITHUB_EVENT_NAME": "pull_request",
		"GITHUB_EVENT_PATH": "testdata/github-pull-request-fork.json"}), os.ReadFile)
	assert.Equal(t, Field{prHead, "GITHUB_EVENT_PATH pull_request.head.sha"}, got.Revision)
	assert.Equal(t, "Forgejo Actions gives a pull request from a fork no secrets; record deploys from runs on the repository's own branches",
		got.SecretsHint)
}
