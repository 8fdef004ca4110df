// Command rollbar-deploy records deploys in Rollbar from any CI or a terminal.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/command"
)

// version is set at release time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	dir, _ := os.Getwd()
	code := (&command.CLI{
		Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Environ: os.Environ, ReadFile: os.ReadFile, Now: time.Now,
		Dir: dir, Version: version,
	}).Main(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
