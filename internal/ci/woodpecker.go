package ci

import "strings"

// Woodpecker ≥ 2: pipeline/frontend/metadata/environment.go and
// docs/docs/20-usage/50-environment.md. Its CI_* names
// overlap GitLab's with other meanings (CI_COMMIT_AUTHOR is a username here).
var woodpecker = provider{
	id: "woodpecker", name: "Woodpecker",
	detect:        is("woodpecker", "CI", "CI_SYSTEM_NAME"),
	revision:      []string{"CI_COMMIT_SHA"},
	localUsername: []string{"CI_COMMIT_AUTHOR", "CI_PIPELINE_AUTHOR"},
	comment:       []string{"CI_PIPELINE_URL"},
	environment:   []string{"CI_PIPELINE_DEPLOY_TARGET"}, // deployment events
	status:        []string{"CI_PIPELINE_STATUS"},        // success, or failure once a step failed
	// the source branch is set for pull requests only
	branch:     []string{"CI_COMMIT_SOURCE_BRANCH", "CI_COMMIT_BRANCH"},
	repository: []string{"CI_REPO"},
	workspace:  []string{"CI_WORKSPACE"},
	joinsLists: true,
	finish: func(_ Getenv, _ ReadFile, info *Info) {
		// woodpecker-cli exec without --system-url links every pipeline to
		// Woodpecker's own GitHub page: no run to show.
		if strings.HasPrefix(info.Comment.Value, "https://github.com/woodpecker-ci/woodpecker/") {
			info.Comment = Field{}
		}
	},
}
