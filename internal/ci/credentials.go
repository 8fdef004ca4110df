package ci

import (
	"net/url"
	"strings"
)

// StripCredentials removes from a URL what would let its reader act as its
// owner: the userinfo (GitLab's CI_REPOSITORY_URL carries the job token there,
// Netlify's REPOSITORY_URL an access token) and query parameters named like a
// secret. Anything that is not an absolute URL comes back unchanged.
func StripCredentials(raw string) string {
	if !strings.ContainsAny(raw, "@?") {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return raw
	}
	changed := u.User != nil
	u.User = nil
	if u.RawQuery != "" {
		params := strings.Split(u.RawQuery, "&")
		kept := params[:0]
		for _, p := range params {
			name, _, _ := strings.Cut(p, "=")
			if n, err := url.QueryUnescape(name); err == nil && secretName(n) {
				continue
			}
			kept = append(kept, p)
		}
		changed = changed || len(kept) != len(params)
		u.RawQuery = strings.Join(kept, "&")
	}
	if !changed {
		return raw // re-encoding could alter a URL that had nothing to hide
	}
	return u.String()
}

func secretName(name string) bool {
	n := strings.ToLower(name)
	for _, s := range []string{"token", "passw", "secret", "credential", "signature"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return n == "sig" || strings.HasSuffix(n, "key")
}
