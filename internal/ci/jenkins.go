package ci

// Jenkins: the git plugin's variables. GIT_BRANCH is usually "origin/main";
// a user exists only with the build-user-vars plugin or in a pull request.
var jenkins = provider{
	id: "jenkins", name: "Jenkins",
	detect:        anySet("JENKINS_URL"),
	revision:      []string{"GIT_COMMIT"},
	localUsername: []string{"BUILD_USER_ID", "CHANGE_AUTHOR"},
	comment:       []string{"BUILD_URL"},
	branch:        []string{"CHANGE_BRANCH", "GIT_LOCAL_BRANCH", "GIT_BRANCH", "BRANCH_NAME"},
	repository:    []string{"GIT_URL", "GIT_URL_1"}, // may carry user:password@
}
