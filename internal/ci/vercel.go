package ci

// Vercel system environment variables (exposed only when the project allows
// it). There is no build page URL; VERCEL_URL is the deployment's host.
var vercel = provider{
	id: "vercel", name: "Vercel",
	detect:        anySet("VERCEL"),
	revision:      []string{"VERCEL_GIT_COMMIT_SHA"},
	localUsername: []string{"VERCEL_GIT_COMMIT_AUTHOR_LOGIN"},
	// a custom environment's name, else production/preview/development
	environment: []string{"VERCEL_TARGET_ENV", "VERCEL_ENV"},
	branch:      []string{"VERCEL_GIT_COMMIT_REF"},
	repository:  []string{"$VERCEL_GIT_REPO_OWNER/$VERCEL_GIT_REPO_SLUG"},
}
