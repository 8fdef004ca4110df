package ci

// AWS CodeBuild: docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-env-vars.html.
// CODEBUILD_BUILD_SUCCEEDING is 1 while the build succeeds, 0 once it fails.
// CODEBUILD_INITIATOR names a webhook, pipeline or IAM
// principal, not a git user: no username. CODEBUILD_BUILD_URL is missing
// from some builds; the console page it names is built from the region and
// the build id ("project:uuid") then.
var codebuild = provider{
	id: "codebuild", name: "AWS CodeBuild",
	detect: func(get Getenv) bool {
		return anySet("CODEBUILD_BUILD_ID", "CODEBUILD_BUILD_ARN")(get) || is("true", "CODEBUILD_CI")(get)
	},
	revision: []string{"CODEBUILD_RESOLVED_SOURCE_VERSION"},
	status:   []string{"CODEBUILD_BUILD_SUCCEEDING"},
	outcome:  func(v string) string { return map[string]string{"1": "success", "0": "failure"}[v] },
	comment: []string{
		"CODEBUILD_BUILD_URL",
		"https://$AWS_REGION.console.aws.amazon.com/codebuild/home?region=$AWS_REGION#/builds/$CODEBUILD_BUILD_ID/view/new",
	},
	branch:     []string{"CODEBUILD_WEBHOOK_HEAD_REF"},
	repository: []string{"CODEBUILD_SOURCE_REPO_URL"},
}
