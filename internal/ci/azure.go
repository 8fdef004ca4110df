package ci

import "strings"

// Azure Pipelines: docs/pipelines/build/variables.md ("A.B" becomes A_B).
// BUILD_BUILDURI is vstfs:///…, not a web page, so the build URL is built.
var azure = provider{
	id: "azure", name: "Azure Pipelines",
	detect: func(get Lookup) bool {
		return is("true", "TF_BUILD")(get) || get("SYSTEM_TEAMFOUNDATIONCOLLECTIONURI") != ""
	},
	revision:      []string{"BUILD_SOURCEVERSION"},
	localUsername: []string{"BUILD_SOURCEVERSIONAUTHOR", "BUILD_REQUESTEDFOR"},
	comment: []string{
		"RELEASE_RELEASEWEBURL", // classic release pipelines
		"$SYSTEM_TEAMFOUNDATIONCOLLECTIONURI/$SYSTEM_TEAMPROJECT/_build/results?buildId=$BUILD_BUILDID",
	},
	environment: []string{"RELEASE_ENVIRONMENTNAME", "ENVIRONMENT_NAME"}, // classic release; YAML deployment job
	branch:      []string{"SYSTEM_PULLREQUEST_SOURCEBRANCH", "BUILD_SOURCEBRANCH"},
	repository:  []string{"BUILD_REPOSITORY_NAME"},
	finish: func(_ Lookup, _ ReadFile, info *Info) {
		// CI-triggered and scheduled builds are requested for a service identity, not a person.
		if u := info.LocalUsername.Value; strings.HasPrefix(u, "Microsoft.VisualStudio.Services.") || strings.HasPrefix(u, "Project Collection Build Service") {
			info.LocalUsername = Field{}
		}
	},
}
