package ci

// GitLab CI: doc/ci/variables/predefined_variables.md. A local runner
// (gitlab-runner exec) may set GITLAB_CI=false, so the server variables count too;
// CI_COMMIT_SHA alone does not, Woodpecker sets it as well.
var gitlab = provider{
	id: "gitlab", name: "GitLab CI",
	detect: func(get Getenv) bool {
		return is("true", "GITLAB_CI")(get) ||
			(anySet("CI_SERVER", "CI_PIPELINE_ID")(get) && get("CI_PROJECT_URL") != "")
	},
	revision:      []string{"CI_COMMIT_SHA"},
	localUsername: []string{"GITLAB_USER_LOGIN"}, // CI_COMMIT_AUTHOR is "Name <email>"
	comment:       []string{"CI_PIPELINE_URL", "CI_JOB_URL"},
	environment:   []string{"CI_ENVIRONMENT_NAME"},
	branch:        []string{"CI_COMMIT_BRANCH", "CI_COMMIT_REF_NAME"},
	repository:    []string{"CI_PROJECT_PATH", "CI_REPOSITORY_URL"},
	commitURL:     "$CI_PROJECT_URL/-/commit/$CI_COMMIT_SHA",
	finish: func(get Getenv, _ ReadFile, info *Info) {
		// In a tag pipeline CI_COMMIT_REF_NAME is the tag.
		if info.Branch.Source == "CI_COMMIT_REF_NAME" && get("CI_COMMIT_TAG") != "" {
			info.Branch = Field{}
		}
	},
}
