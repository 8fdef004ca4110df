package ci

// Render: the commit and branch only; no actor, no deploy URL.
var render = provider{
	id: "render", name: "Render",
	detect:     is("true", "RENDER"),
	revision:   []string{"RENDER_GIT_COMMIT"},
	branch:     []string{"RENDER_GIT_BRANCH"},
	repository: []string{"RENDER_GIT_REPO_SLUG"},
}
