package ci

// Google Cloud Build: BUILDER_OUTPUT is the one variable every step has.
// The build's facts are substitutions ($COMMIT_SHA, $BUILD_ID, …) that reach a
// step's environment only where the build maps them (a step's env: list, or
// options.automapSubstitutions). No actor.
var googleCloudBuild = provider{
	id: "google-cloud-build", name: "Google Cloud Build",
	detect:   anySet("BUILDER_OUTPUT"),
	revision: []string{"COMMIT_SHA"},
	comment: []string{
		"https://console.cloud.google.com/cloud-build/builds;region=$LOCATION/$BUILD_ID?project=$PROJECT_ID",
		"https://console.cloud.google.com/cloud-build/builds/$BUILD_ID?project=$PROJECT_ID",
	},
	branch:     []string{"BRANCH_NAME"},
	repository: []string{"REPO_FULL_NAME"},
	revisionHint: "Cloud Build gives a step $COMMIT_SHA only when mapped: " +
		"add `COMMIT_SHA=$COMMIT_SHA` to the step's env, or set `options: automapSubstitutions: true`",
}
