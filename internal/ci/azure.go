package ci

import "strings"

// Azure Pipelines: docs/pipelines/build/variables.md (azure-devops-docs); a
// variable "A.B" is set as A_B. A pull request build's BUILD_SOURCEVERSION
// is the merge Azure made; SYSTEM_PULLREQUEST_SOURCECOMMITID is the pull
// request's head. AGENT_JOBSTATUS is the job's outcome so far (Succeeded,
// SucceededWithIssues, Failed, Canceled), what a step with
// `condition: always()` runs after.
// BUILD_BUILDURI is vstfs:///…, not a web page, so the build URL is built.
var azure = provider{
	id: "azure", name: "Azure Pipelines",
	detect: func(get Getenv) bool {
		return is("true", "TF_BUILD")(get) || get("SYSTEM_TEAMFOUNDATIONCOLLECTIONURI") != ""
	},
	revision: []string{"SYSTEM_PULLREQUEST_SOURCECOMMITID", "BUILD_SOURCEVERSION"},
	status:   []string{"AGENT_JOBSTATUS"},
	// In a classic release the deployment's requester is who deployed; the
	// BUILD_* names are about the build that made the artifact.
	localUsername: []string{"RELEASE_DEPLOYMENT_REQUESTEDFOR", "BUILD_SOURCEVERSIONAUTHOR", "BUILD_REQUESTEDFOR"},
	notUser:       azureServiceAccount,
	comment: []string{
		"RELEASE_RELEASEWEBURL", // classic release pipelines
		"$SYSTEM_TEAMFOUNDATIONCOLLECTIONURI/$SYSTEM_TEAMPROJECT/_build/results?buildId=$BUILD_BUILDID",
	},
	environment: []string{"RELEASE_ENVIRONMENTNAME", "ENVIRONMENT_NAME"}, // classic release; YAML deployment job
	branch:      []string{"SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH"},
	repository:  []string{"BUILD_REPOSITORY_NAME"},
}

// azureServiceAccount reports the identities Azure DevOps runs CI-triggered,
// scheduled and automatic release work as: "Microsoft.VisualStudio.Services.TFS",
// "[DefaultCollection]\Project Collection Service Accounts",
// "Project Collection Build Service (acme)", "Web Build Service (acme)".
func azureServiceAccount(u string) bool {
	return strings.HasPrefix(u, "Microsoft.VisualStudio.Services.") ||
		strings.HasSuffix(u, `\Project Collection Service Accounts`) ||
		strings.Contains(u, "Build Service (")
}
