package pipeline

import (
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
)

// WriteDotenv writes ROLLBAR_DEPLOY_ID, ROLLBAR_DEPLOY_URL and the deploy's
// environment (which marks the id as the tool's own, so that only a later
// job of that environment takes it up) for GitLab's `artifacts: reports:
// dotenv`, and the deploy once more under its environment's own name
// (PendingVarOf), marked as started or finished. It replaces the file: GitLab takes the last duplicate, and
// a stale id from an earlier run must not linger.
func WriteDotenv(path string, r Result) error {
	// The environment is escaped: GitLab's environment names may hold
	// spaces, which a dotenv value cannot.
	lines := [][2]string{{DeployIDVar, strconv.FormatInt(r.DeployID, 10)}, {"ROLLBAR_DEPLOY_URL", r.URL},
		{EnvironmentVar, url.PathEscape(r.Environment)}}
	if r.Environment != "" {
		id := r.DeployID
		if r.Handoff != Save {
			id = -id // finished: no later job is to finish it again
		}
		lines = append(lines, [2]string{PendingVarOf(r.Environment), EncodePending(map[string]int64{r.Environment: id})})
	}
	if r.Watch != nil {
		lines = append(lines, [2]string{"ROLLBAR_WATCH_RESULT", r.Watch.Result})
	}
	return writeDotenv(path, lines)
}

// WriteWatchDotenv writes a watch's verdict as ROLLBAR_WATCH_RESULT,
// replacing the file as WriteDotenv does.
func WriteWatchDotenv(path string, w Watch) error {
	return writeDotenv(path, [][2]string{{"ROLLBAR_WATCH_RESULT", w.Result}})
}

func writeDotenv(path string, lines [][2]string) error {
	var b strings.Builder
	for _, kv := range lines {
		// GitLab's dotenv has no quoting: values cannot hold spaces either.
		if err := checkLine(path, kv[0], kv[1]); err != nil || strings.ContainsRune(kv[1], ' ') {
			return &UnsafeValueError{Key: kv[0], File: path}
		}
		fmt.Fprintf(&b, "%s=%s\n", kv[0], kv[1])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
