package ci

import "strings"

// Buildkite: "Buildkite environment variables".
var buildkite = provider{
	id: "buildkite", name: "Buildkite",
	detect:        is("true", "BUILDKITE"),
	revision:      []string{"BUILDKITE_COMMIT"},
	localUsername: []string{"BUILDKITE_BUILD_CREATOR", "BUILDKITE_BUILD_AUTHOR"},
	comment:       []string{"BUILDKITE_BUILD_URL"},
	environment:   []string{"BUILDKITE_GITHUB_DEPLOYMENT_ENVIRONMENT"}, // builds made from a GitHub deployment only
	branch:        []string{"BUILDKITE_BRANCH"},
	repository:    []string{"BUILDKITE_REPO"},
	finish: func(_ Getenv, _ ReadFile, info *Info) {
		// BUILDKITE_COMMIT can be a symbolic name such as HEAD: leave it to git.
		if v := info.Revision.Value; len(v) < 7 || strings.Trim(v, "0123456789abcdefABCDEF") != "" {
			info.Revision = Field{}
		}
	},
}
