package ci

// Railway: its variables reference. The RAILWAY_GIT_* variables exist for
// deployments made from a repository; RAILWAY_GIT_AUTHOR is the commit's
// user on the forge. Railway names its environments (production, staging…).
var railway = provider{
	id: "railway", name: "Railway",
	detect:        anySet("RAILWAY_DEPLOYMENT_ID", "RAILWAY_ENVIRONMENT_ID", "RAILWAY_PROJECT_ID"),
	revision:      []string{"RAILWAY_GIT_COMMIT_SHA"},
	localUsername: []string{"RAILWAY_GIT_AUTHOR"},
	environment:   []string{"RAILWAY_ENVIRONMENT_NAME"},
	branch:        []string{"RAILWAY_GIT_BRANCH"},
	repository:    []string{"$RAILWAY_GIT_REPO_OWNER/$RAILWAY_GIT_REPO_NAME"},
}
