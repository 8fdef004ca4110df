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

const sha = "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567"

func env(vars map[string]string) Lookup { return func(k string) string { return vars[k] } }

// noFile stands for a runner whose event payload is absent. The real dumps
// need it: their GITHUB_EVENT_PATH exists on GitHub's hosted runners.
func noFile(string) ([]byte, error) { return nil, fs.ErrNotExist }

// loadEnv parses a NAME=value dump from testdata.
func loadEnv(tb testing.TB, name string) map[string]string {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(tb, err)
	vars := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok && k != "" {
			vars[k] = v
		}
	}
	require.NotEmpty(tb, vars)
	return vars
}

func TestDetectProviders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want Info
	}{
		{
			name: "woodpecker",
			env: map[string]string{
				"CI": "woodpecker", "CI_COMMIT_SHA": sha, "CI_COMMIT_AUTHOR": "ada", "CI_PIPELINE_AUTHOR": "grace",
				"CI_PIPELINE_URL": "https://ci.example.com/repos/7/pipeline/42", "CI_PIPELINE_DEPLOY_TARGET": "production",
				"CI_COMMIT_BRANCH": "main", "CI_REPO": "acme/web", "CI_WORKSPACE": "/woodpecker/src/acme/web",
			},
			want: Info{
				Provider: "Woodpecker", ID: "woodpecker",
				Revision:      Field{sha, "CI_COMMIT_SHA"},
				LocalUsername: Field{"ada", "CI_COMMIT_AUTHOR"},
				Comment:       Field{"https://ci.example.com/repos/7/pipeline/42", "CI_PIPELINE_URL"},
				Environment:   Field{"production", "CI_PIPELINE_DEPLOY_TARGET"},
				Branch:        Field{"main", "CI_COMMIT_BRANCH"},
				Repository:    Field{"acme/web", "CI_REPO"},
				Workspace:     "/woodpecker/src/acme/web",
			},
		},
		{
			name: "woodpecker pull request run by woodpecker-cli exec",
			env: map[string]string{
				"CI_SYSTEM_NAME": "woodpecker", "CI_COMMIT_SHA": sha, "CI_PIPELINE_AUTHOR": "grace",
				"CI_PIPELINE_URL":         "https://github.com/woodpecker-ci/woodpecker/repos/0/pipeline/1",
				"CI_COMMIT_SOURCE_BRANCH": "feature", "CI_COMMIT_BRANCH": "main",
			},
			want: Info{
				Provider: "Woodpecker", ID: "woodpecker",
				Revision:      Field{sha, "CI_COMMIT_SHA"},
				LocalUsername: Field{"grace", "CI_PIPELINE_AUTHOR"},
				Branch:        Field{"feature", "CI_COMMIT_SOURCE_BRANCH"},
			},
		},
		{
			name: "forgejo",
			env: map[string]string{
				"FORGEJO_ACTIONS": "true", "GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true",
				"GITHUB_SERVER_URL": "https://codeberg.org/", "GITHUB_REPOSITORY": "acme/web", "GITHUB_SHA": sha,
				"GITHUB_RUN_ID": "123456", "GITHUB_RUN_NUMBER": "17", "GITHUB_RUN_ATTEMPT": "2",
				"GITHUB_ACTOR": "ada", "GITHUB_REF": "refs/heads/main", "GITHUB_EVENT_PATH": "testdata/github-push.json",
			},
			want: Info{
				Provider: "Forgejo Actions", ID: "forgejo",
				Revision:      Field{sha, "GITHUB_SHA"},
				LocalUsername: Field{"grace", "GITHUB_EVENT_PATH head_commit.committer.username"},
				Comment:       Field{"https://codeberg.org/acme/web/actions/runs/17", "GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_NUMBER"},
				Branch:        Field{"main", "GITHUB_REF"},
				Repository:    Field{"acme/web", "GITHUB_REPOSITORY"},
				CommitURL:     "https://codeberg.org/acme/web/commit/" + sha,
			},
		},
		{
			name: "gitea",
			env: map[string]string{
				"GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true",
				"GITHUB_SERVER_URL": "https://gitea.example.com", "GITHUB_REPOSITORY": "acme/web", "GITHUB_SHA": sha,
				"GITHUB_RUN_ID": "88", "GITHUB_RUN_NUMBER": "3", "GITHUB_ACTOR": "ada", "GITHUB_REF": "refs/heads/main",
			},
			want: Info{
				Provider: "Gitea Actions", ID: "gitea",
				Revision:      Field{sha, "GITHUB_SHA"},
				LocalUsername: Field{"ada", "GITHUB_ACTOR"},
				Comment:       Field{"https://gitea.example.com/acme/web/actions/runs/88", "GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID"},
				Branch:        Field{"main", "GITHUB_REF"},
				Repository:    Field{"acme/web", "GITHUB_REPOSITORY"},
				CommitURL:     "https://gitea.example.com/acme/web/commit/" + sha,
			},
		},
		{
			name: "github deployment re-run",
			env: map[string]string{
				"GITHUB_ACTIONS": "true", "GITHUB_SHA": sha, "GITHUB_ACTOR": "ada", "GITHUB_TRIGGERING_ACTOR": "grace",
				"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/web",
				"GITHUB_RUN_ID": "99", "GITHUB_RUN_ATTEMPT": "3",
				"GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main", "GITHUB_REF_TYPE": "branch",
				"GITHUB_EVENT_NAME": "deployment", "GITHUB_EVENT_PATH": "testdata/github-deployment.json",
			},
			want: Info{
				Provider: "GitHub Actions", ID: "github",
				Revision:      Field{sha, "GITHUB_SHA"},
				LocalUsername: Field{"grace", "GITHUB_TRIGGERING_ACTOR"},
				Comment:       Field{"https://github.com/acme/web/actions/runs/99/attempts/3", "GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID/attempts/GITHUB_RUN_ATTEMPT"},
				Environment:   Field{"staging", "GITHUB_EVENT_PATH deployment.environment"},
				Branch:        Field{"main", "GITHUB_REF"},
				Repository:    Field{"acme/web", "GITHUB_REPOSITORY"},
				CommitURL:     "https://github.com/acme/web/commit/" + sha,
			},
		},
		{
			name: "github pull request",
			env: map[string]string{
				"GITHUB_ACTIONS": "true", "GITHUB_SHA": sha, "GITHUB_ACTOR": "ada", "GITHUB_RUN_ATTEMPT": "1",
				"GITHUB_HEAD_REF": "feature/x", "GITHUB_REF": "refs/pull/5/merge", "GITHUB_REPOSITORY": "acme/web",
			},
			want: Info{
				Provider: "GitHub Actions", ID: "github",
				Revision:      Field{sha, "GITHUB_SHA"},
				LocalUsername: Field{"ada", "GITHUB_ACTOR"},
				Branch:        Field{"feature/x", "GITHUB_HEAD_REF"},
				Repository:    Field{"acme/web", "GITHUB_REPOSITORY"},
			},
		},
		{
			name: "github tag",
			env:  map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_SHA": sha, "GITHUB_REF": "refs/tags/v1.0.0"},
			want: Info{Provider: "GitHub Actions", ID: "github", Revision: Field{sha, "GITHUB_SHA"}},
		},
		{
			name: "gitlab",
			env: map[string]string{
				"GITLAB_CI": "true", "CI": "true", "CI_COMMIT_SHA": sha, "GITLAB_USER_LOGIN": "ada",
				"CI_COMMIT_AUTHOR":    "Ada Lovelace <ada@example.com>",
				"CI_PIPELINE_URL":     "https://gitlab.com/acme/web/-/pipelines/1555",
				"CI_JOB_URL":          "https://gitlab.com/acme/web/-/jobs/8440",
				"CI_ENVIRONMENT_NAME": "production", "CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main",
				"CI_PROJECT_PATH": "acme/web", "CI_PROJECT_URL": "https://gitlab.com/acme/web",
				"CI_REPOSITORY_URL": "https://gitlab-ci-token:glcbt-secret@gitlab.com/acme/web.git",
			},
			want: Info{
				Provider: "GitLab CI", ID: "gitlab",
				Revision:      Field{sha, "CI_COMMIT_SHA"},
				LocalUsername: Field{"ada", "GITLAB_USER_LOGIN"},
				Comment:       Field{"https://gitlab.com/acme/web/-/pipelines/1555", "CI_PIPELINE_URL"},
				Environment:   Field{"production", "CI_ENVIRONMENT_NAME"},
				Branch:        Field{"main", "CI_COMMIT_BRANCH"},
				Repository:    Field{"acme/web", "CI_PROJECT_PATH"},
				CommitURL:     "https://gitlab.com/acme/web/-/commit/" + sha,
			},
		},
		{
			name: "gitlab tag pipeline with blanks",
			env: map[string]string{
				"GITLAB_CI": "true", "CI_COMMIT_SHA": sha, "CI_PIPELINE_URL": "", "CI_JOB_URL": "https://gitlab.com/acme/web/-/jobs/8440",
				"CI_COMMIT_REF_NAME": "v1.2.0", "CI_COMMIT_TAG": "v1.2.0", "CI_PROJECT_PATH": " ",
				"CI_REPOSITORY_URL": "https://gitlab-ci-token:glcbt-secret@gitlab.com/acme/web.git",
			},
			want: Info{
				Provider: "GitLab CI", ID: "gitlab",
				Revision:   Field{sha, "CI_COMMIT_SHA"},
				Comment:    Field{"https://gitlab.com/acme/web/-/jobs/8440", "CI_JOB_URL"},
				Repository: Field{"https://gitlab.com/acme/web.git", "CI_REPOSITORY_URL"},
			},
		},
		{
			name: "gitlab merge request pipeline",
			env:  map[string]string{"GITLAB_CI": "true", "CI_COMMIT_SHA": sha, "CI_COMMIT_REF_NAME": "feature"},
			want: Info{Provider: "GitLab CI", ID: "gitlab", Revision: Field{sha, "CI_COMMIT_SHA"}, Branch: Field{"feature", "CI_COMMIT_REF_NAME"}},
		},
		{
			name: "drone",
			env: map[string]string{
				"DRONE": "true", "CI": "true", "DRONE_COMMIT_SHA": " ", "DRONE_COMMIT": sha, "DRONE_COMMIT_AUTHOR": "ada",
				"DRONE_COMMIT_AUTHOR_NAME": "Ada Lovelace", "DRONE_BUILD_LINK": "https://drone.example.com/acme/web/42",
				"DRONE_DEPLOY_TO": "production", "DRONE_BRANCH": "main", "DRONE_REPO": "acme/web", "DRONE_WORKSPACE": "/drone/src",
			},
			want: Info{
				Provider: "Drone", ID: "drone",
				Revision:      Field{sha, "DRONE_COMMIT"},
				LocalUsername: Field{"ada", "DRONE_COMMIT_AUTHOR"},
				Comment:       Field{"https://drone.example.com/acme/web/42", "DRONE_BUILD_LINK"},
				Environment:   Field{"production", "DRONE_DEPLOY_TO"},
				Branch:        Field{"main", "DRONE_BRANCH"},
				Repository:    Field{"acme/web", "DRONE_REPO"},
				Workspace:     "/drone/src",
			},
		},
		{
			name: "heroku release",
			env: map[string]string{
				"DYNO": "release.1234", "HEROKU_APP_NAME": "my-app", "HEROKU_APP_ID": "9daa2797-e49b-4624-932f-ec3f9688e3da",
				"HEROKU_RELEASE_VERSION": "v42", "HEROKU_BUILD_COMMIT": sha, "HEROKU_SLUG_COMMIT": "1111111111111111111111111111111111111111",
				"HEROKU_BUILD_DESCRIPTION": "Deploy 0a1b2c3",
			},
			want: Info{
				Provider: "Heroku", ID: "heroku",
				Revision:    Field{sha, "HEROKU_BUILD_COMMIT"},
				Comment:     Field{"Heroku release v42 of my-app: https://dashboard.heroku.com/apps/my-app/activity", "HEROKU_RELEASE_VERSION, HEROKU_APP_NAME"},
				FailOnError: "never",
			},
		},
		{
			name: "heroku rollback",
			env: map[string]string{
				"DYNO": "release.77", "HEROKU_APP_NAME": "my-app", "HEROKU_RELEASE_VERSION": "v43",
				"HEROKU_SLUG_COMMIT": sha, "HEROKU_SLUG_DESCRIPTION": "Deploy 0a1b2c3", "HEROKU_RELEASE_DESCRIPTION": "Rollback to v41",
			},
			want: Info{
				Provider: "Heroku", ID: "heroku",
				Revision:    Field{sha, "HEROKU_SLUG_COMMIT"},
				Comment:     Field{"Heroku release v43 of my-app, a rollback to v41: https://dashboard.heroku.com/apps/my-app/activity", "HEROKU_RELEASE_VERSION, HEROKU_APP_NAME, HEROKU_RELEASE_DESCRIPTION"},
				FailOnError: "never",
				Rollback:    true,
			},
		},
		{
			name: "heroku without build metadata",
			env:  map[string]string{"DYNO": "release.1", "HEROKU_APP_ID": "9daa2797-e49b-4624-932f-ec3f9688e3da"},
			want: Info{Provider: "Heroku", ID: "heroku", FailOnError: "never"},
		},
		{
			name: "circleci scheduled",
			env: map[string]string{
				"CIRCLECI": "true", "CIRCLE_SHA1": sha, "CIRCLE_BUILD_URL": "https://app.circleci.com/jobs/github/acme/web/9",
				"CIRCLE_BRANCH": "main", "CIRCLE_PROJECT_USERNAME": "acme", "CIRCLE_PROJECT_REPONAME": "web",
			},
			want: Info{
				Provider: "CircleCI", ID: "circleci",
				Revision:   Field{sha, "CIRCLE_SHA1"},
				Comment:    Field{"https://app.circleci.com/jobs/github/acme/web/9", "CIRCLE_BUILD_URL"},
				Branch:     Field{"main", "CIRCLE_BRANCH"},
				Repository: Field{"acme/web", "CIRCLE_PROJECT_USERNAME/CIRCLE_PROJECT_REPONAME"},
			},
		},
		{
			name: "bitbucket deployment step",
			env: map[string]string{
				"BITBUCKET_BUILD_NUMBER": "12", "BITBUCKET_COMMIT": sha, "BITBUCKET_REPO_FULL_NAME": "acme/web",
				"BITBUCKET_STEP_TRIGGERER_UUID": "{6f2e0a7c-1d8b-4c1a-9a57-3f1c2b9e0d11}", "BITBUCKET_BRANCH": "main",
				"BITBUCKET_DEPLOYMENT_ENVIRONMENT": "production",
			},
			want: Info{
				Provider: "Bitbucket Pipelines", ID: "bitbucket",
				Revision:    Field{sha, "BITBUCKET_COMMIT"},
				Comment:     Field{"https://bitbucket.org/acme/web/addon/pipelines/home#!/results/12", "https://bitbucket.org/BITBUCKET_REPO_FULL_NAME/addon/pipelines/home#!/results/BITBUCKET_BUILD_NUMBER"},
				Environment: Field{"production", "BITBUCKET_DEPLOYMENT_ENVIRONMENT"},
				Branch:      Field{"main", "BITBUCKET_BRANCH"},
				Repository:  Field{"acme/web", "BITBUCKET_REPO_FULL_NAME"},
				CommitURL:   "https://bitbucket.org/acme/web/commits/" + sha,
			},
		},
		{
			name: "jenkins",
			env: map[string]string{
				"JENKINS_URL": "https://jenkins.example.com/", "BUILD_ID": "42", "GIT_COMMIT": sha, "BUILD_USER_ID": "ada",
				"BUILD_URL": "https://jenkins.example.com/job/web/42/", "GIT_BRANCH": "origin/main",
				"GIT_URL": "https://deploy:s3cret@git.example.com/acme/web.git",
			},
			want: Info{
				Provider: "Jenkins", ID: "jenkins",
				Revision:      Field{sha, "GIT_COMMIT"},
				LocalUsername: Field{"ada", "BUILD_USER_ID"},
				Comment:       Field{"https://jenkins.example.com/job/web/42/", "BUILD_URL"},
				Branch:        Field{"main", "GIT_BRANCH"},
				Repository:    Field{"https://git.example.com/acme/web.git", "GIT_URL"},
			},
		},
		{
			name: "buildkite",
			env: map[string]string{
				"BUILDKITE": "true", "BUILDKITE_COMMIT": sha, "BUILDKITE_BUILD_CREATOR": "Ada Lovelace",
				"BUILDKITE_BUILD_URL": "https://buildkite.com/acme/web/builds/7", "BUILDKITE_BRANCH": "main",
				"BUILDKITE_GITHUB_DEPLOYMENT_ENVIRONMENT": "production", "BUILDKITE_REPO": "git@github.com:acme/web.git",
			},
			want: Info{
				Provider: "Buildkite", ID: "buildkite",
				Revision:      Field{sha, "BUILDKITE_COMMIT"},
				LocalUsername: Field{"Ada Lovelace", "BUILDKITE_BUILD_CREATOR"},
				Comment:       Field{"https://buildkite.com/acme/web/builds/7", "BUILDKITE_BUILD_URL"},
				Environment:   Field{"production", "BUILDKITE_GITHUB_DEPLOYMENT_ENVIRONMENT"},
				Branch:        Field{"main", "BUILDKITE_BRANCH"},
				Repository:    Field{"git@github.com:acme/web.git", "BUILDKITE_REPO"},
			},
		},
		{
			name: "buildkite symbolic commit",
			env:  map[string]string{"BUILDKITE": "true", "BUILDKITE_COMMIT": "HEAD", "BUILDKITE_BRANCH": "main"},
			want: Info{Provider: "Buildkite", ID: "buildkite", Branch: Field{"main", "BUILDKITE_BRANCH"}},
		},
		{
			name: "azure deployment job on a tag",
			env: map[string]string{
				"TF_BUILD": "True", "BUILD_SOURCEVERSION": sha, "BUILD_REQUESTEDFOR": "Microsoft.VisualStudio.Services.TFS",
				"SYSTEM_TEAMFOUNDATIONCOLLECTIONURI": "https://dev.azure.com/acme/", "SYSTEM_TEAMPROJECT": "Fabrikam Fiber",
				"BUILD_BUILDID": "27", "BUILD_BUILDURI": "vstfs:///Build/Build/27", "ENVIRONMENT_NAME": "staging",
				"BUILD_SOURCEBRANCH": "refs/tags/v1.0.0", "BUILD_SOURCEBRANCHNAME": "v1.0.0", "BUILD_REPOSITORY_NAME": "web",
			},
			want: Info{
				Provider: "Azure Pipelines", ID: "azure",
				Revision: Field{sha, "BUILD_SOURCEVERSION"},
				Comment: Field{"https://dev.azure.com/acme/Fabrikam%20Fiber/_build/results?buildId=27",
					"SYSTEM_TEAMFOUNDATIONCOLLECTIONURI/SYSTEM_TEAMPROJECT/_build/results?buildId=BUILD_BUILDID"},
				Environment: Field{"staging", "ENVIRONMENT_NAME"},
				Repository:  Field{"web", "BUILD_REPOSITORY_NAME"},
			},
		},
		{
			name: "azure classic release",
			env: map[string]string{
				"SYSTEM_TEAMFOUNDATIONCOLLECTIONURI": "https://dev.azure.com/acme/", "SYSTEM_TEAMPROJECT": "web",
				"RELEASE_RELEASEWEBURL":   "https://dev.azure.com/acme/web/_release?releaseId=5",
				"RELEASE_ENVIRONMENTNAME": "production", "BUILD_SOURCEVERSION": sha, "BUILD_REQUESTEDFOR": "Ada Lovelace",
			},
			want: Info{
				Provider: "Azure Pipelines", ID: "azure",
				Revision:      Field{sha, "BUILD_SOURCEVERSION"},
				LocalUsername: Field{"Ada Lovelace", "BUILD_REQUESTEDFOR"},
				Comment:       Field{"https://dev.azure.com/acme/web/_release?releaseId=5", "RELEASE_RELEASEWEBURL"},
				Environment:   Field{"production", "RELEASE_ENVIRONMENTNAME"},
			},
		},
		{
			name: "travis pull request",
			env: map[string]string{
				"TRAVIS": "true", "TRAVIS_COMMIT": sha, "TRAVIS_BUILD_WEB_URL": "https://app.travis-ci.com/acme/web/builds/1",
				"TRAVIS_BRANCH": "main", "TRAVIS_PULL_REQUEST_BRANCH": "feature", "TRAVIS_REPO_SLUG": "acme/web",
			},
			want: Info{
				Provider: "Travis CI", ID: "travis",
				Revision:   Field{sha, "TRAVIS_COMMIT"},
				Comment:    Field{"https://app.travis-ci.com/acme/web/builds/1", "TRAVIS_BUILD_WEB_URL"},
				Branch:     Field{"feature", "TRAVIS_PULL_REQUEST_BRANCH"},
				Repository: Field{"acme/web", "TRAVIS_REPO_SLUG"},
			},
		},
		{
			name: "codebuild",
			env: map[string]string{
				"CODEBUILD_BUILD_ID": "web:4b1f", "CODEBUILD_RESOLVED_SOURCE_VERSION": sha,
				"CODEBUILD_INITIATOR":        "GitHub-Hookshot/abc",
				"CODEBUILD_BUILD_URL":        "https://eu-west-1.console.aws.amazon.com/codebuild/home?region=eu-west-1#/builds/web:4b1f/view/new",
				"CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/main", "CODEBUILD_SOURCE_REPO_URL": "https://github.com/acme/web",
			},
			want: Info{
				Provider: "AWS CodeBuild", ID: "codebuild",
				Revision:   Field{sha, "CODEBUILD_RESOLVED_SOURCE_VERSION"},
				Comment:    Field{"https://eu-west-1.console.aws.amazon.com/codebuild/home?region=eu-west-1#/builds/web:4b1f/view/new", "CODEBUILD_BUILD_URL"},
				Branch:     Field{"main", "CODEBUILD_WEBHOOK_HEAD_REF"},
				Repository: Field{"https://github.com/acme/web", "CODEBUILD_SOURCE_REPO_URL"},
			},
		},
		{
			name: "semaphore",
			env: map[string]string{
				"SEMAPHORE": "true", "SEMAPHORE_GIT_SHA": sha, "SEMAPHORE_GIT_COMMITTER": "ada",
				"SEMAPHORE_ORGANIZATION_URL": "https://acme.semaphoreci.com", "SEMAPHORE_WORKFLOW_ID": "65b1",
				"SEMAPHORE_GIT_BRANCH": "main", "SEMAPHORE_GIT_REPO_SLUG": "acme/web",
			},
			want: Info{
				Provider: "Semaphore", ID: "semaphore",
				Revision:      Field{sha, "SEMAPHORE_GIT_SHA"},
				LocalUsername: Field{"ada", "SEMAPHORE_GIT_COMMITTER"},
				Comment:       Field{"https://acme.semaphoreci.com/workflows/65b1", "SEMAPHORE_ORGANIZATION_URL/workflows/SEMAPHORE_WORKFLOW_ID"},
				Branch:        Field{"main", "SEMAPHORE_GIT_BRANCH"},
				Repository:    Field{"acme/web", "SEMAPHORE_GIT_REPO_SLUG"},
			},
		},
		{
			name: "codefresh",
			env: map[string]string{
				"CF_BUILD_ID": "5f1", "CF_REVISION": sha, "CF_BUILD_INITIATOR": "ada",
				"CF_BUILD_URL": "https://g.codefresh.io/build/5f1", "CF_BRANCH": "main", "CF_REPO_OWNER": "acme", "CF_REPO_NAME": "web",
			},
			want: Info{
				Provider: "Codefresh", ID: "codefresh",
				Revision:      Field{sha, "CF_REVISION"},
				LocalUsername: Field{"ada", "CF_BUILD_INITIATOR"},
				Comment:       Field{"https://g.codefresh.io/build/5f1", "CF_BUILD_URL"},
				Branch:        Field{"main", "CF_BRANCH"},
				Repository:    Field{"acme/web", "CF_REPO_OWNER/CF_REPO_NAME"},
			},
		},
		{
			name: "bitrise",
			env: map[string]string{
				"BITRISE_IO": "true", "BITRISE_GIT_COMMIT": "", "GIT_CLONE_COMMIT_HASH": sha,
				"BITRISE_BUILD_URL": "https://app.bitrise.io/build/9a8b", "BITRISE_GIT_BRANCH": "main",
				"GIT_REPOSITORY_URL": "git@github.com:acme/web.git",
			},
			want: Info{
				Provider: "Bitrise", ID: "bitrise",
				Revision:   Field{sha, "GIT_CLONE_COMMIT_HASH"},
				Comment:    Field{"https://app.bitrise.io/build/9a8b", "BITRISE_BUILD_URL"},
				Branch:     Field{"main", "BITRISE_GIT_BRANCH"},
				Repository: Field{"git@github.com:acme/web.git", "GIT_REPOSITORY_URL"},
			},
		},
		{
			name: "teamcity",
			env:  map[string]string{"TEAMCITY_VERSION": "2024.12", "BUILD_VCS_NUMBER": sha, "BUILD_NUMBER": "42"},
			want: Info{Provider: "TeamCity", ID: "teamcity", Revision: Field{sha, "BUILD_VCS_NUMBER"}},
		},
		{
			name: "netlify",
			env: map[string]string{
				"NETLIFY": "true", "COMMIT_REF": sha, "SITE_NAME": "acme-web", "DEPLOY_ID": "65f0",
				"CONTEXT": "deploy-preview", "HEAD": "feature", "BRANCH": "pull/5/head",
				"REPOSITORY_URL": "https://x-access-token:ghs_secret@github.com/acme/web",
			},
			want: Info{
				Provider: "Netlify", ID: "netlify",
				Revision:    Field{sha, "COMMIT_REF"},
				Comment:     Field{"https://app.netlify.com/sites/acme-web/deploys/65f0", "https://app.netlify.com/sites/SITE_NAME/deploys/DEPLOY_ID"},
				Environment: Field{"deploy-preview", "CONTEXT"},
				Branch:      Field{"feature", "HEAD"},
				Repository:  Field{"https://github.com/acme/web", "REPOSITORY_URL"},
			},
		},
		{
			name: "vercel",
			env: map[string]string{
				"VERCEL": "1", "CI": "1", "VERCEL_ENV": "production", "VERCEL_GIT_COMMIT_SHA": sha,
				"VERCEL_GIT_COMMIT_AUTHOR_LOGIN": "ada", "VERCEL_GIT_COMMIT_REF": "main",
				"VERCEL_GIT_REPO_OWNER": "acme", "VERCEL_GIT_REPO_SLUG": "web", "VERCEL_URL": "web-abc.vercel.app",
			},
			want: Info{
				Provider: "Vercel", ID: "vercel",
				Revision:      Field{sha, "VERCEL_GIT_COMMIT_SHA"},
				LocalUsername: Field{"ada", "VERCEL_GIT_COMMIT_AUTHOR_LOGIN"},
				Environment:   Field{"production", "VERCEL_ENV"},
				Branch:        Field{"main", "VERCEL_GIT_COMMIT_REF"},
				Repository:    Field{"acme/web", "VERCEL_GIT_REPO_OWNER/VERCEL_GIT_REPO_SLUG"},
			},
		},
		{
			name: "render",
			env: map[string]string{
				"RENDER": "true", "RENDER_GIT_COMMIT": sha, "RENDER_GIT_BRANCH": "main", "RENDER_GIT_REPO_SLUG": "acme/web",
				"RENDER_SERVICE_NAME": "web",
			},
			want: Info{
				Provider: "Render", ID: "render",
				Revision:   Field{sha, "RENDER_GIT_COMMIT"},
				Branch:     Field{"main", "RENDER_GIT_BRANCH"},
				Repository: Field{"acme/web", "RENDER_GIT_REPO_SLUG"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Detect(env(tt.env), os.ReadFile))
		})
	}
}

func TestDetectOrder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want string // Info.ID; "" means the zero Info
	}{
		{"woodpecker exec leaks the host CI", map[string]string{"CI": "woodpecker", "GITHUB_ACTIONS": "true", "GITLAB_CI": "true", "DRONE": "true", "CI_COMMIT_SHA": sha}, "woodpecker"},
		{"forgejo sets gitea and github markers", map[string]string{"FORGEJO_ACTIONS": "true", "GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true"}, "forgejo"},
		{"gitea sets GITHUB_ACTIONS", map[string]string{"GITEA_ACTIONS": "true", "GITHUB_ACTIONS": "true"}, "gitea"},
		{"github", map[string]string{"GITHUB_ACTIONS": "true", "CI": "true"}, "github"},
		{"local gitlab runner, CI_SERVER", map[string]string{"GITLAB_CI": "false", "CI_SERVER": "yes", "CI_PROJECT_URL": "https://gitlab.com/acme/web", "CI_COMMIT_SHA": sha}, "gitlab"},
		{"local gitlab runner, CI_PIPELINE_ID", map[string]string{"CI_PIPELINE_ID": "1", "CI_PROJECT_URL": "https://gitlab.com/acme/web"}, "gitlab"},
		{"CI_SERVER without a project", map[string]string{"GITLAB_CI": "false", "CI_SERVER": "yes"}, ""},
		{"CI_COMMIT_SHA alone", map[string]string{"CI_COMMIT_SHA": sha, "CI": "true", "CI_PIPELINE_URL": "https://ci.example.com/1"}, ""},
		{"woodpecker on CI_COMMIT_SHA", map[string]string{"CI": "woodpecker", "CI_COMMIT_SHA": sha}, "woodpecker"},
		{"heroku dyno inside a CI is the CI", map[string]string{"DRONE": "true", "DYNO": "run.1", "HEROKU_APP_NAME": "my-app"}, "drone"},
		{"a dyno without metadata", map[string]string{"DYNO": "web.1"}, ""},
		{"azure says True", map[string]string{"TF_BUILD": "True"}, "azure"},
		{"blank is unset", map[string]string{"GITHUB_ACTIONS": " ", "GITLAB_CI": ""}, ""},
		{"CI=false", map[string]string{"CI": "false"}, ""},
		{"nothing", map[string]string{}, ""},
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
	base := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_ACTOR": "octocat", "GITHUB_TRIGGERING_ACTOR": "hubot"}
	tests := []struct {
		name     string
		path     string
		readFile ReadFile
		user     Field
		env      Field
	}{
		{"push", "github-push.json", os.ReadFile, Field{"grace", "GITHUB_EVENT_PATH head_commit.committer.username"}, Field{}},
		{"web-flow committer", "github-push-web-flow.json", os.ReadFile, Field{"ada", "GITHUB_EVENT_PATH head_commit.author.username"}, Field{}},
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
			vars := map[string]string{"GITHUB_EVENT_PATH": filepath.Join("testdata", tt.path)}
			for k, v := range base {
				vars[k] = v
			}
			got := Detect(env(vars), tt.readFile)
			require.Equal(t, "github", got.ID)
			assert.Equal(t, tt.user, got.LocalUsername)
			assert.Equal(t, tt.env, got.Environment)
		})
	}
}

// TestRealEnvironments reads dumps taken in real CI jobs (testdata/README.md).
func TestRealEnvironments(t *testing.T) {
	t.Parallel()
	const dumpSHA = "790efd9b96e59d9b3c3f1899284c85fa91efbcbc"
	tests := []struct {
		file string
		want Info
	}{
		{"github-actions.env", Info{
			Provider: "GitHub Actions", ID: "github",
			Revision:      Field{dumpSHA, "GITHUB_SHA"},
			LocalUsername: Field{"PhilippHeuer", "GITHUB_TRIGGERING_ACTOR"},
			Comment:       Field{"https://github.com/cidverse/cienvsamples/actions/runs/11960822866", "GITHUB_SERVER_URL/GITHUB_REPOSITORY/actions/runs/GITHUB_RUN_ID"},
			Branch:        Field{"main", "GITHUB_REF"},
			Repository:    Field{"cidverse/cienvsamples", "GITHUB_REPOSITORY"},
			CommitURL:     "https://github.com/cidverse/cienvsamples/commit/" + dumpSHA,
		}},
		{"circleci.env", Info{
			Provider: "CircleCI", ID: "circleci",
			Revision:      Field{dumpSHA, "CIRCLE_SHA1"},
			LocalUsername: Field{"circle@philippheuer.de", "CIRCLE_USERNAME"},
			Comment:       Field{"https://app.circleci.com/jobs/circleci/0d12c8fa-cf92-415b-a14c-4787b20c52e2/aa4638b8-064e-4321-b1ee-794f3028b01f/9", "CIRCLE_BUILD_URL"},
			Branch:        Field{"main", "CIRCLE_BRANCH"},
			Repository:    Field{"CIDVerse/cienvsamples", "CIRCLE_PROJECT_USERNAME/CIRCLE_PROJECT_REPONAME"},
		}},
		{"azure-devops.env", Info{
			Provider: "Azure Pipelines", ID: "azure",
			Revision:      Field{dumpSHA, "BUILD_SOURCEVERSION"},
			LocalUsername: Field{"PhilippHeuer", "BUILD_SOURCEVERSIONAUTHOR"},
			Comment:       Field{"https://heuer.visualstudio.com/cienvsamples/_build/results?buildId=27", "SYSTEM_TEAMFOUNDATIONCOLLECTIONURI/SYSTEM_TEAMPROJECT/_build/results?buildId=BUILD_BUILDID"},
			Branch:        Field{"main", "BUILD_SOURCEBRANCH"},
			Repository:    Field{"cidverse/cienvsamples", "BUILD_REPOSITORY_NAME"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, Detect(env(loadEnv(t, tt.file)), noFile))
		})
	}
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
		env  map[string]string
		read ReadFile
	}{
		{"github", github, readEvent},
		{"circleci", loadEnv(b, "circleci.env"), noFile},
		{"azure", loadEnv(b, "azure-devops.env"), noFile},
		{"heroku", map[string]string{"DYNO": "release.1", "HEROKU_APP_NAME": "my-app", "HEROKU_RELEASE_VERSION": "v42", "HEROKU_BUILD_COMMIT": sha}, noFile},
		{"none", map[string]string{"CI": "false"}, noFile},
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
