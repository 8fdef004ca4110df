package ci

// Netlify builds: CONTEXT (production, deploy-preview, branch-deploy) is the
// nearest thing to an environment; no actor; REPOSITORY_URL may embed a token.
// DEPLOY_ID is Netlify's own deploy id (hex), good for its deploy page only.
var netlify = provider{
	id: "netlify", name: "Netlify",
	detect:      is("true", "NETLIFY"),
	revision:    []string{"COMMIT_REF"},
	comment:     []string{"https://app.netlify.com/projects/$SITE_NAME/deploys/$DEPLOY_ID"},
	environment: []string{"CONTEXT"},
	branch:      []string{"HEAD", "BRANCH"}, // HEAD is the branch name, BRANCH the ref checked out
	repository:  []string{"REPOSITORY_URL"},
}
