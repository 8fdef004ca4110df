// Command fakerollbar serves the rollbartest fake Rollbar API on a loopback
// address for end-to-end scripts, which drive it through /_fake/.
//
//	fakerollbar -addr 127.0.0.1:0 -addr-file /tmp/rollbar-url
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
