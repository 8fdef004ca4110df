// Command cmd is what the release workflow runs (go run ./internal/release/cmd):
//
//	build -version vX.Y.Z -out dist          the six binaries, NAME.sha256 each, checksums.txt
//	pin -version vX.Y.Z -dist dist [-repository OWNER/NAME] [-image ghcr.io/OWNER/rollbar-deploy:vX.Y.Z@sha256:… FILE…]
//	                                         action/release.txt, and the image pinned in FILEs; the
//	                                         repository whose release has the binaries defaults
//	                                         to GITHUB_REPOSITORY
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/rollbar-deploy/rollbar-deploy/internal/release"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(2)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: build|pin -version vX.Y.Z …")
	}
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	version := fs.String("version", "", "the release tag, e.g. v1.2.3")
	out := fs.String("out", "dist", "build: where the binaries go")
	dist := fs.String("dist", "dist", "pin: where the binaries are")
	image := fs.String("image", "", "pin: the image as IMAGE:TAG@sha256:DIGEST, written into the FILEs")
	repository := fs.String("repository", os.Getenv("GITHUB_REPOSITORY"),
		"pin: OWNER/NAME, whose release has the binaries")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "build":
		return release.Build(context.Background(), os.Environ(), ".", *version, *out, os.Stderr)
	case "pin":
		if err := release.Pin(".", *repository, *version, *dist); err != nil {
			return err
		}
		if *image == "" {
			return nil
		}
		return release.PinImage(*image, fs.Args()...)
	}
	return fmt.Errorf("unknown command %q: build or pin", args[0])
}
