package ci

// Bitrise: no actor in the environment.
var bitrise = provider{
	id: "bitrise", name: "Bitrise",
	detect:     anySet("BITRISE_IO", "BITRISE_BUILD_SLUG"),
	revision:   []string{"BITRISE_GIT_COMMIT", "GIT_CLONE_COMMIT_HASH"},
	comment:    []string{"BITRISE_BUILD_URL"},
	branch:     []string{"BITRISE_GIT_BRANCH"},
	repository: []string{"GIT_REPOSITORY_URL"},
}
