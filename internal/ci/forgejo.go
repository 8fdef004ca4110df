package ci

// Forgejo and Gitea Actions run GitHub-compatible runners that set the GITHUB_*
// variables (and GITHUB_ACTIONS=true), so they read like GitHub but for the run
// URL: Forgejo addresses a run page by its per-repository index
// (GITHUB_RUN_NUMBER; GITHUB_RUN_ID is instance-wide), while Gitea moved its
// run pages to the run id. Neither has attempt pages.
var forgejo = provider{
	id: "forgejo", name: "Forgejo Actions",
	detect:        is("true", "FORGEJO_ACTIONS"),
	revision:      github.revision,
	localUsername: github.localUsername,
	comment:       []string{"$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_NUMBER"},
	branch:        github.branch,
	repository:    github.repository,
	commitURL:     github.commitURL,
	finish:        readGitHubEvent,
}

var gitea = provider{
	id: "gitea", name: "Gitea Actions",
	detect:        is("true", "GITEA_ACTIONS"),
	revision:      github.revision,
	localUsername: github.localUsername,
	comment:       github.comment,
	branch:        github.branch,
	repository:    github.repository,
	commitURL:     github.commitURL,
	finish:        readGitHubEvent,
}
