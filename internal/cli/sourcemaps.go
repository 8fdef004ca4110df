package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
	"github.com/rollbar-deploy/rollbar-deploy/internal/rollbar"
	"github.com/rollbar-deploy/rollbar-deploy/internal/sourcemaps"
)

// sourcemaps uploads source maps for the revision, without recording a deploy.
func (r *run) sourcemaps(ctx context.Context) error {
	if err := r.cfg.Require("revision"); err != nil {
		return err
	}
	if r.cfg.SourceMaps == "" && len(r.inv.args) == 0 {
		return r.cfg.Require("source_maps")
	}
	if err := r.cfg.Require("access_token"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.Timeout)
	defer cancel()
	return r.upload(ctx, r.client(), r.inv.args)
}

// upload sends every source map, reporting each one's outcome, and fails if
// any failed: a deploy whose stack traces cannot be read is worth knowing of.
func (r *run) upload(ctx context.Context, client *rollbar.Client, extra []string) error {
	cfg := r.cfg
	pairs, err := sourcemaps.Find(r.Dir, append(strings.Fields(cfg.SourceMaps), extra...), strings.Fields(cfg.MinifiedURLs), cfg.URLPrefix)
	if err != nil {
		return &config.Error{Setting: "source_maps", Source: cfg.Source("source_maps"), Problem: "cannot be used", Fix: err.Error()}
	}
	failed := 0
	var first error
	for _, p := range pairs {
		data, err := os.ReadFile(p.Path)
		if err == nil {
			err = client.UploadSourceMap(ctx, rollbar.SourceMap{Version: cfg.Revision, MinifiedURL: p.MinifiedURL, Name: filepath.Base(p.Path), Map: data})
		}
		if err != nil {
			failed++
			if first == nil {
				first = err
			}
			r.out.Warnf("source map %s for %s: %v", p.Path, p.MinifiedURL, err)
			continue
		}
		r.out.Infof("uploaded source map %s for %s", p.Path, p.MinifiedURL)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d source maps failed to upload; the first: %w", failed, len(pairs), first)
	}
	return nil
}
