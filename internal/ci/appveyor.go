package ci

// AppVeyor: www.appveyor.com/docs/environment-variables. A pull request
// build's APPVEYOR_REPO_COMMIT is the merge AppVeyor made;
// APPVEYOR_PULL_REQUEST_HEAD_COMMIT the pull request's head. The run page lives under
// the AppVeyor account, which need not be the repository's owner.
// APPVEYOR_REPO_COMMIT_AUTHOR is the commit author's display name.
var appveyor = provider{
	id: "appveyor", name: "AppVeyor",
	detect:        is("true", "APPVEYOR"),
	revision:      []string{"APPVEYOR_PULL_REQUEST_HEAD_COMMIT", "APPVEYOR_REPO_COMMIT"},
	localUsername: []string{"APPVEYOR_REPO_COMMIT_AUTHOR"},
	comment: []string{
		"$APPVEYOR_URL/project/$APPVEYOR_ACCOUNT_NAME/$APPVEYOR_PROJECT_SLUG/build/$APPVEYOR_BUILD_VERSION",
	},
	// APPVEYOR_REPO_BRANCH is a pull request's base
	branch:     []string{"APPVEYOR_PULL_REQUEST_HEAD_REPO_BRANCH", "APPVEYOR_REPO_BRANCH"},
	repository: []string{"APPVEYOR_REPO_NAME"},
}
