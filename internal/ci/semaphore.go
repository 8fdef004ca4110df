package ci

// Semaphore 2.0: docs.semaphoreci.com/reference/env-vars. A pull request's
// head is SEMAPHORE_GIT_PR_SHA (SEMAPHORE_GIT_SHA is the merge Semaphore
// builds); SEMAPHORE_JOB_RESULT (passed, failed, stopped) is set in an
// epilogue. Deploys run as promotions, whose SEMAPHORE_PIPELINE_PROMOTED_BY
// is who promoted ("auto-promotion" when a rule did); otherwise
// SEMAPHORE_GIT_COMMITTER, the forge username of the commit's author.
var semaphore = provider{
	id: "semaphore", name: "Semaphore",
	detect:        is("true", "SEMAPHORE"),
	revision:      []string{"SEMAPHORE_GIT_PR_SHA", "SEMAPHORE_GIT_SHA"},
	status:        []string{"SEMAPHORE_JOB_RESULT"},
	localUsername: []string{"SEMAPHORE_PIPELINE_PROMOTED_BY", "SEMAPHORE_GIT_COMMITTER"},
	notUser:       oneOf("auto-promotion"),
	comment:       []string{"$SEMAPHORE_ORGANIZATION_URL/workflows/$SEMAPHORE_WORKFLOW_ID"},
	branch:        []string{"SEMAPHORE_GIT_PR_BRANCH", "SEMAPHORE_GIT_BRANCH"},
	repository:    []string{"SEMAPHORE_GIT_REPO_SLUG"},
}
