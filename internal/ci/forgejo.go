package ci

// Forgejo and Gitea Actions run GitHub-compatible runners that set the GITHUB_*
// variables (and GITHUB_ACTIONS=true), so they read like GitHub but for the run
// URL: Forgejo addresses a run page by its per-repository index
// (GITHUB_RUN_NUMBER; GITHUB_RUN_ID is instance-wide), while Gitea moved its
// run pages to the run id. Neither has attempt pages. Sources:
// forgejo-runner internal/app/run/runner.go, Gitea's act_runner.
var (
	forgejo = githubCompatible("forgejo", "Forgejo Actions", "FORGEJO_ACTIONS",
		"$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_NUMBER")
	gitea = githubCompatible("gitea", "Gitea Actions", "GITEA_ACTIONS", github.comment...)
)

// githubCompatible is a runner that reads like GitHub's but for its marker
// and its run page.
func githubCompatible(id, name, marker string, comment ...string) provider {
	return provider{
		id: id, name: name,
		detect:           is("true", marker),
		payload:          github.payload,
		revision:         github.revision,
		localUsername:    github.localUsername,
		notUser:          github.notUser,
		comment:          comment,
		environment:      github.environment,
		status:           github.status,
		branch:           github.branch,
		repository:       github.repository,
		commitURL:        github.commitURL,
		workflowCommands: true,
		finish:           githubEventRules,
	}
}
