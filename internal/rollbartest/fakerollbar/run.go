package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbartest"
)

// run serves until ctx ends and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fakerollbar", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "loopback `address` to listen on")
	addrFile := fs.String("addr-file", "", "write the base URL to this `file` once listening")
	timeout := fs.Duration("deploy-timeout", 60*time.Minute, "time a started deploy out after this long (0: never)")
	notStarted := fs.Int("not-started-status", http.StatusConflict,
		"HTTP `status` of the answer to an update of a deploy no longer started (409 or 422)")
	rateLimit := fs.Int("rate-limit", 5000, "calls a token may make a minute")
	quiet := fs.Bool("quiet", false, "do not log requests")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fakerollbar: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if err := serve(ctx, *addr, *addrFile, stdout, stderr, *quiet,
		rollbartest.WithDeployTimeout(*timeout),
		rollbartest.WithNotStartedStatus(*notStarted),
		rollbartest.WithRateLimit(*rateLimit)); err != nil {
		fmt.Fprintln(stderr, "fakerollbar:", err)
		return 1
	}
	return 0
}

func serve(
	ctx context.Context, addr, addrFile string, stdout, stderr io.Writer, quiet bool, opts ...rollbartest.Option,
) error {
	if err := checkLoopback(addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if !quiet {
		opts = append(opts, rollbartest.WithLogger(slog.New(slog.NewTextHandler(stderr, nil))))
	}
	h := rollbartest.NewHandler(opts...)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	url := "http://" + ln.Addr().String()
	fmt.Fprintln(stdout, url)
	if addrFile != "" {
		if err := writeAtomically(addrFile, url+"\n"); err != nil {
			_ = srv.Close()
			return err
		}
		// A stale file would tell the next script a dead server is up.
		defer os.Remove(addrFile)
	}

	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	h.Close() // hang and slow faults would hold Shutdown up
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// checkLoopback refuses addresses other machines could reach: the fake
// accepts well-known tokens.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("refusing to listen on %q: use a loopback address such as 127.0.0.1:0", addr)
	}
	return nil
}

// writeAtomically writes via a rename so that a script polling for the file
// never reads half a URL.
func writeAtomically(path, content string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fakerollbar-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(content); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
