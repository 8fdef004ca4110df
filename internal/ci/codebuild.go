package ci

// AWS CodeBuild. CODEBUILD_INITIATOR names a webhook, pipeline or IAM
// principal, not a git user: no username.
var codebuild = provider{
	id: "codebuild", name: "AWS CodeBuild",
	detect: func(get Lookup) bool {
		return anySet("CODEBUILD_BUILD_ID", "CODEBUILD_BUILD_ARN")(get) || is("true", "CODEBUILD_CI")(get)
	},
	revision:   []string{"CODEBUILD_RESOLVED_SOURCE_VERSION"},
	comment:    []string{"CODEBUILD_BUILD_URL"},
	branch:     []string{"CODEBUILD_WEBHOOK_HEAD_REF"},
	repository: []string{"CODEBUILD_SOURCE_REPO_URL"},
}
