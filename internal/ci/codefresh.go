package ci

// Codefresh: CF_BUILD_INITIATOR is the user who started the build (the
// webhook's user for git-triggered builds).
var codefresh = provider{
	id: "codefresh", name: "Codefresh",
	detect:        anySet("CF_BUILD_ID"),
	revision:      []string{"CF_REVISION"},
	localUsername: []string{"CF_BUILD_INITIATOR"},
	comment:       []string{"CF_BUILD_URL"},
	branch:        []string{"CF_BRANCH"},
	repository:    []string{"$CF_REPO_OWNER/$CF_REPO_NAME"},
}
