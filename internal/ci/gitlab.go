package ci

// GitLab CI: doc/ci/variables/predefined_variables.md. A local runner
// (gitlab-runner exec, gitlab-ci-local) sets GITLAB_CI=false, so the server
// variables count too; CI_COMMIT_SHA alone does not, Woodpecker sets it as
// well. gitlab-ci-local (src/predefined-variables.ts, job.ts) makes up its
// GITLAB_USER_LOGIN ("local", or the git e-mail's local part) and pipeline
// URLs on the remote's host.
var gitlab = provider{
	id: "gitlab", name: "GitLab CI",
	detect: func(get Getenv) bool {
		return is("true", "GITLAB_CI")(get) ||
			(anySet("CI_SERVER", "CI_PIPELINE_ID")(get) && get("CI_PROJECT_URL") != "")
	},
	local: is("false", "GITLAB_CI"),
	// A merged-results pipeline builds a merge GitLab made (CI_COMMIT_SHA);
	// the merge request's head is CI_MERGE_REQUEST_SOURCE_BRANCH_SHA, set in
	// those pipelines only.
	revision:      []string{"CI_MERGE_REQUEST_SOURCE_BRANCH_SHA", "CI_COMMIT_SHA"},
	localUsername: []string{"GITLAB_USER_LOGIN"}, // CI_COMMIT_AUTHOR is "Name <email>"
	comment:       []string{"CI_PIPELINE_URL", "CI_JOB_URL"},
	environment:   []string{"CI_ENVIRONMENT_NAME"},
	// CI_JOB_STATUS tells the job's outcome in after_script (success,
	// failed, canceled); in script it is running, no outcome yet.
	status:     []string{"CI_JOB_STATUS"},
	branch:     []string{"CI_COMMIT_BRANCH", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "CI_COMMIT_REF_NAME"},
	repository: []string{"CI_PROJECT_PATH", "CI_REPOSITORY_URL"},
	commitURL:  "$CI_PROJECT_URL/-/commit/",
	finish: func(get Getenv, _ ReadFile, info *Info) {
		// In a tag pipeline CI_COMMIT_REF_NAME is the tag.
		if info.Branch.Source == "CI_COMMIT_REF_NAME" && get("CI_COMMIT_TAG") != "" {
			info.Branch = Field{}
		}
		if info.Status.Value == "running" {
			info.Status = Field{}
		}
		if get("CI_COMMIT_REF_PROTECTED") == "false" {
			info.SecretsHint = gitlabUnprotected
		}
		// A stop job tears its environment down: no deploy. Prepare, verify
		// and access jobs deploy nothing either, but they are where the
		// Rollbar jobs themselves get CI_ENVIRONMENT_NAME without making a
		// GitLab deployment (docs/gitlab.md): they record as asked.
		if get("CI_ENVIRONMENT_ACTION") == "stop" {
			info.NotDeploying = "this job stops its environment (CI_ENVIRONMENT_ACTION=stop), no deploy"
		}
	},
}

const gitlabUnprotected = "GitLab withholds protected variables from jobs on unprotected refs " +
	"(merge requests, review branches): clear Protect variable on ROLLBAR_ACCESS_TOKEN, or protect the ref"
