package ci

import "strings"

// Jenkins: the git plugin's variables (plugins.jenkins.io/git, "Environment
// variables") and Pipeline's (BRANCH_NAME, CHANGE_*: jenkins.io/doc/book/pipeline/
// jenkinsfile). GIT_BRANCH is "<remote>/<branch>", but in a multibranch job
// it is the branch alone, as BRANCH_NAME is ("feature/login").
// JENKINS_URL (and BUILD_URL) exist only when the controller's URL is
// configured; HUDSON_URL and BUILD_TAG ("jenkins-<job>-<n>") are always there.
// A user exists only with the build-user-vars plugin or in a pull request.
var jenkins = provider{
	id: "jenkins", name: "Jenkins",
	detect: func(get Getenv) bool {
		tag := get("BUILD_TAG")
		return anySet("JENKINS_URL", "HUDSON_URL")(get) ||
			strings.HasPrefix(tag, "jenkins-") || strings.HasPrefix(tag, "hudson-")
	},
	revision:      []string{"GIT_COMMIT"},
	localUsername: []string{"BUILD_USER_ID", "CHANGE_AUTHOR"},
	// build-user-vars names what started an automatic build in place of a
	// user (timerTrigger in its older versions), and Jenkins' own SYSTEM
	// and anonymous users.
	notUser: oneOf("timer", "timerTrigger", "scmChange", "branchIndexing", "remoteRequest", "genericWebhook",
		"SYSTEM", "anonymous"),
	comment: []string{"BUILD_URL"},
	// BRANCH_NAME of a pull request build is PR-7, and CHANGE_BRANCH its branch.
	branch:     []string{"CHANGE_BRANCH", "GIT_LOCAL_BRANCH", "BRANCH_NAME", "GIT_BRANCH"},
	repository: []string{"GIT_URL", "GIT_URL_1"}, // may carry user:password@
	finish: func(get Getenv, _ ReadFile, info *Info) {
		// GIT_BRANCH names the remote, which need not be origin.
		if info.Branch.Source == "GIT_BRANCH" {
			if _, b, ok := strings.Cut(get("GIT_BRANCH"), "/"); ok {
				info.Branch.Value = b
			}
		}
	},
}
