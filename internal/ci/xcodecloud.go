package ci

// Xcode Cloud: "Environment variable reference". It sets CI=TRUE and CI_*
// names that GitLab and Woodpecker use too, so only its own markers count.
// No actor.
var xcodeCloud = provider{
	id: "xcode-cloud", name: "Xcode Cloud",
	detect:   func(get Getenv) bool { return is("true", "CI_XCODE_CLOUD")(get) || get("CI_XCODE_PROJECT") != "" },
	revision: []string{"CI_COMMIT"},
	comment:  []string{"CI_BUILD_URL"},
	branch:   []string{"CI_PULL_REQUEST_SOURCE_BRANCH", "CI_BRANCH"},
}
