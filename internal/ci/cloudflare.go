package ci

// Cloudflare Pages and Workers Builds: the commit and branch only, no actor.
// CF_PAGES_URL is the deployment's own address (Pages has no build page
// variable). Codefresh's markers are CF_BUILD_*, never CF_PAGES.
var cloudflarePages = provider{
	id: "cloudflare-pages", name: "Cloudflare Pages",
	detect:   is("1", "CF_PAGES"),
	revision: []string{"CF_PAGES_COMMIT_SHA"},
	comment:  []string{"CF_PAGES_URL"},
	branch:   []string{"CF_PAGES_BRANCH"},
}

var cloudflareWorkers = provider{
	id: "cloudflare-workers", name: "Cloudflare Workers Builds",
	detect:   is("1", "WORKERS_CI"),
	revision: []string{"WORKERS_CI_COMMIT_SHA"},
	branch:   []string{"WORKERS_CI_BRANCH"},
}
