package ci

// Codemagic: no actor. CM_BRANCH is a pull request's source branch; the
// build page is addressed by the app (CM_PROJECT_ID) and the build.
var codemagic = provider{
	id: "codemagic", name: "Codemagic",
	detect:     anySet("CM_BUILD_ID"),
	revision:   []string{"CM_COMMIT"},
	comment:    []string{"https://codemagic.io/app/$CM_PROJECT_ID/build/$CM_BUILD_ID"},
	branch:     []string{"CM_BRANCH"},
	repository: []string{"CM_REPO_SLUG"},
}
