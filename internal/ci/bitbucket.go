package ci

// Bitbucket Pipelines: support.atlassian.com/bitbucket-cloud/docs/variables-and-secrets.
// BITBUCKET_EXIT_CODE, the step's exit code, is set in after-script. No run URL
// variable, so it is built. The only actor,
// BITBUCKET_STEP_TRIGGERER_UUID, is a UUID rather than a name: no username.
var bitbucket = provider{
	id: "bitbucket", name: "Bitbucket Pipelines",
	detect:      anySet("BITBUCKET_BUILD_NUMBER"),
	revision:    []string{"BITBUCKET_COMMIT"},
	comment:     []string{"https://bitbucket.org/$BITBUCKET_REPO_FULL_NAME/pipelines/results/$BITBUCKET_BUILD_NUMBER"},
	environment: []string{"BITBUCKET_DEPLOYMENT_ENVIRONMENT"}, // steps with deployment: only
	status:      []string{"BITBUCKET_EXIT_CODE"},
	outcome:     exitCode,
	branch:      []string{"BITBUCKET_BRANCH"},
	repository:  []string{"BITBUCKET_REPO_FULL_NAME"},
	commitURL:   "https://bitbucket.org/$BITBUCKET_REPO_FULL_NAME/commits/",
}
