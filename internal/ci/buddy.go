package ci

// Buddy: "Default variables". BUDDY_RUN_* replaced BUDDY_EXECUTION_*, which
// older instances still set. The invoker is who ran the pipeline, by display
// name; the committer's name is next.
var buddy = provider{
	id: "buddy", name: "Buddy",
	detect:        func(get Getenv) bool { return is("true", "BUDDY")(get) || get("BUDDY_WORKSPACE_ID") != "" },
	revision:      []string{"BUDDY_RUN_COMMIT", "BUDDY_EXECUTION_REVISION"},
	localUsername: []string{"BUDDY_INVOKER_NAME", "BUDDY_EXECUTION_REVISION_COMMITTER_NAME"},
	comment:       []string{"BUDDY_RUN_URL", "BUDDY_EXECUTION_URL"},
	branch: []string{
		"BUDDY_RUN_PR_HEAD_BRANCH", "BUDDY_EXECUTION_PULL_REQUEST_HEAD_BRANCH",
		"BUDDY_RUN_BRANCH", "BUDDY_EXECUTION_BRANCH",
	},
	repository: []string{"BUDDY_REPO_SLUG"},
}
