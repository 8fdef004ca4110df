package ci

// Semaphore 2.0: SEMAPHORE_GIT_COMMITTER is the forge username of the commit's author.
var semaphore = provider{
	id: "semaphore", name: "Semaphore",
	detect:        is("true", "SEMAPHORE"),
	revision:      []string{"SEMAPHORE_GIT_SHA"},
	localUsername: []string{"SEMAPHORE_GIT_COMMITTER"},
	comment:       []string{"$SEMAPHORE_ORGANIZATION_URL/workflows/$SEMAPHORE_WORKFLOW_ID"},
	branch:        []string{"SEMAPHORE_GIT_PR_BRANCH", "SEMAPHORE_GIT_BRANCH"},
	repository:    []string{"SEMAPHORE_GIT_REPO_SLUG"},
}
