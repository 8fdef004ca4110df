package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// IDFile is where Drone and Woodpecker steps, which share only the
// workspace, hand started deploys to the steps that finish them: a line
// "ID ENVIRONMENT" for each (an older file holds an id alone).
const IDFile = ".rollbar-deploy-id"

// SaveIDs keeps the started deploys in dir, by environment; with none, the
// file goes, so the next pipeline does not update a finished deploy.
func SaveIDs(dir string, pending map[string]int64) error {
	path := filepath.Join(dir, IDFile)
	if len(pending) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	var b strings.Builder
	for _, env := range slices.Sorted(maps.Keys(pending)) {
		fmt.Fprintf(&b, "%d %s\n", pending[env], env)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// LoadIDs reads the started deploys kept in dir, by environment ("" for an
// id kept without one); none when there is no file.
func LoadIDs(dir string) (map[string]int64, error) {
	path := filepath.Join(dir, IDFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	pending := map[string]int64{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		first, env, _ := strings.Cut(strings.TrimSpace(line), " ")
		id, err := strconv.ParseInt(first, 10, 64)
		if err != nil || id <= 0 {
			return nil, fmt.Errorf("%s does not hold a deploy id: delete it, or set ROLLBAR_DEPLOY_ID", path)
		}
		pending[strings.TrimSpace(env)] = id
	}
	return pending, nil
}
