package pipeline

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// IDFile is where Drone and Woodpecker steps, which share only the
// workspace, hand a started deploy's id to the step that finishes it.
const IDFile = ".rollbar-deploy-id"

// SaveID keeps a started deploy's id and environment in dir.
func SaveID(dir string, id int64, environment string) error {
	return os.WriteFile(filepath.Join(dir, IDFile), []byte(strconv.FormatInt(id, 10)+"\n"+environment+"\n"), 0o644)
}

// LoadID reads the id a started step kept in dir, and its environment (""
// from a file that names none); id is 0 when there is none.
func LoadID(dir string) (id int64, environment string, err error) {
	path := filepath.Join(dir, IDFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", err
	}
	first, rest, _ := strings.Cut(string(data), "\n")
	id, err = strconv.ParseInt(strings.TrimSpace(first), 10, 64)
	if err != nil || id <= 0 {
		return 0, "", fmt.Errorf("%s does not hold a deploy id: delete it, or set ROLLBAR_DEPLOY_ID", path)
	}
	return id, strings.TrimSpace(rest), nil
}

// ClearID removes the file once the deploy has a final status, so the next
// pipeline does not update a finished deploy.
func ClearID(dir string) error {
	err := os.Remove(filepath.Join(dir, IDFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
