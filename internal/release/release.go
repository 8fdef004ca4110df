// Package release makes what a release of rollbar-deploy publishes: the six
// binaries the GitHub Action downloads (with their SHA-256 sums), and the pin
// file that turns a commit of this repository into a released action.
// action/install.sh reads that file and chooses the same asset names.
package release

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// PinFile is the pin file's path inside the action's directory.
const PinFile = "action/release.txt"

// Asset is one release binary.
type Asset struct {
	GOOS, GOARCH string
	Name         string // its file name on the release
}

// Assets are the binaries of a release, one per runner OS and architecture
// that GitHub hosts, named as action/install.sh asks for them.
func Assets() []Asset {
	var out []Asset
	for _, goos := range []string{"linux", "darwin", "windows"} {
		for _, goarch := range []string{"amd64", "arm64"} {
			name := "rollbar-deploy_" + goos + "_" + goarch
			if goos == "windows" {
				name += ".exe"
			}
			out = append(out, Asset{GOOS: goos, GOARCH: goarch, Name: name})
		}
	}
	return out
}

// Build cross-compiles the main package in src for every asset into out,
// static and stripped, with version stamped in, and writes NAME.sha256
// ("HASH  NAME", as sha256sum writes it) beside each and checksums.txt for
// all. env is the environment go runs with (GOOS, GOARCH and CGO_ENABLED are
// set on top of it); go's own output goes to stderr.
func Build(ctx context.Context, env []string, src, version, out string, stderr io.Writer) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var sums strings.Builder
	for _, a := range Assets() {
		path, err := filepath.Abs(filepath.Join(out, a.Name))
		if err != nil {
			return err
		}
		cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false",
			"-ldflags", "-s -w -X main.version="+version, "-o", path, ".")
		cmd.Dir = src
		cmd.Env = append(slices.Clip(env), "GOOS="+a.GOOS, "GOARCH="+a.GOARCH, "CGO_ENABLED=0")
		cmd.Stdout, cmd.Stderr = stderr, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("building %s: %w", a.Name, err)
		}
		sum, err := fileSHA256(path)
		if err != nil {
			return err
		}
		line := sum + "  " + a.Name + "\n"
		sums.WriteString(line)
		if err := os.WriteFile(path+".sha256", []byte(line), 0o644); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(out, "checksums.txt"), []byte(sums.String()), 0o644)
}

// Pin writes the pin file into the action at dir: the repository whose
// release has the binaries (OWNER/NAME), the version, and the SHA-256 of each
// asset found in dist. Every asset must be there: a release the action cannot
// install on some runner is not made. The repository is written so that a
// copy of the action (a fork, a vendored directory) still downloads the
// binaries its sums are of.
func Pin(dir, repository, version, dist string) error {
	if !regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$`).MatchString(version) {
		return fmt.Errorf("version %q is not a release tag such as v1.2.3", version)
	}
	if !regexp.MustCompile(`^[0-9A-Za-z_.-]+/[0-9A-Za-z_.-]+$`).MatchString(repository) {
		return fmt.Errorf("repository %q is not OWNER/NAME, the repository whose release has the binaries", repository)
	}
	var b strings.Builder
	b.WriteString("# The release this commit of the action runs. action/install.sh downloads the binary for\n" +
		"# the runner from this version's release and refuses one whose SHA-256 is not the one here.\n" +
		"# Written by the release workflow (go run ./internal/release/cmd pin); main has no such file.\n")
	b.WriteString("repository " + repository + "\n")
	b.WriteString("version " + version + "\n")
	for _, a := range Assets() {
		sum, err := fileSHA256(filepath.Join(dist, a.Name))
		if err != nil {
			return fmt.Errorf("pinning %s: %w", a.Name, err)
		}
		b.WriteString(sum + "  " + a.Name + "\n")
	}
	path := filepath.Join(dir, filepath.FromSlash(PinFile))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// imageRef matches a reference to the published image, by tag and maybe
// digest, as the README, the examples and the GitLab component write it.
var imageRef = regexp.MustCompile(`ghcr\.io/[a-z0-9._-]+/rollbar-deploy:v\d[0-9A-Za-z.-]*(@sha256:[0-9a-f]{64})?`)

// PinImage rewrites every reference to the published image in the files at
// paths to ref (IMAGE:TAG@sha256:DIGEST), so that what a release publishes
// runs the very image it was released with.
func PinImage(ref string, paths ...string) error {
	if !imageRef.MatchString(ref) || imageRef.FindString(ref) != ref || !strings.Contains(ref, "@") {
		return fmt.Errorf("image %q is not ghcr.io/OWNER/rollbar-deploy:vX.Y.Z@sha256:DIGEST", ref)
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out := imageRef.ReplaceAllLiteral(data, []byte(ref))
		if err := os.WriteFile(p, out, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
