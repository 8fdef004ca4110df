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
	code := command.Main(ctx, command.Process{
		Args: os.Args[1:], Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Environ: os.Environ, ReadFile: os.ReadFile, Getwd: os.Getwd, Now: time.Now,
	}, version)
	stop()
	os.Exit(code)
}
