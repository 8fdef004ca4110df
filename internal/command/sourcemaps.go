package command

import (
	"context"
	"strings"
	"time"
)

// Sourcemaps uploads source maps for the revision, without recording a deploy.
type Sourcemaps struct{}

func (*Sourcemaps) Spec() *Spec {
	return &Spec{Name: "sourcemaps", Usage: "sourcemaps [MAP|DIR|GLOB…] [--url-prefix URL] [flags]",
		Summary:  "upload JavaScript source maps for the revision",
		Settings: append([]string{"revision", "access_token", "source_maps", "minified_urls", "url_prefix", "fail_on_error", "dry_run"}, common...),
		Extra:    []Extra{jsonFlag}, tolerant: true}
}

func (*Sourcemaps) Run(ctx context.Context, r *Invocation) error {
	cfg := r.Config
	if err := cfg.Require("revision"); err != nil {
		return err
	}
	if cfg.SourceMaps == "" && len(r.Args) == 0 {
		return cfg.Require("source_maps")
	}
	pairs, err := r.findMaps(ctx, r.Args)
	if err != nil {
		return err
	}
	if len(r.Args) > 0 { // shown as the setting's value, beside any it had
		cfg.SourceMaps = strings.Join(append(r.list("source_maps", cfg.SourceMaps), r.Args...), " ")
		cfg.Sources["source_maps"] = strings.TrimPrefix(cfg.Source("source_maps")+" and arguments", " and ")
	}
	if cfg.DryRun {
		return r.showDryRun(mapRequests(cfg, pairs), r.spec.Settings)
	}
	if err := cfg.Require("access_token"); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(cfg.Timeout))
	defer cancel()
	maps, err := r.upload(ctx, r.Client(), pairs)
	if r.JSON {
		out := map[string]any{"source_maps": maps}
		r.jsonError(out, err)
		r.printJSON(out)
	}
	return err
}
