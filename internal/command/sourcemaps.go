package command

import (
	"context"
	"strings"
	"time"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
)

// Sourcemaps uploads source maps for the revision, without recording a deploy.
type Sourcemaps struct{}

func (*Sourcemaps) Spec() *Spec {
	return &Spec{Name: "sourcemaps", Usage: "sourcemaps [MAP|DIR|GLOB…] [--url-prefix URL] [flags]",
		Summary: "upload JavaScript source maps for the revision",
		Settings: append([]config.Name{config.Revision, config.AccessToken, config.SourceMaps, config.MinifiedURLs,
			config.URLPrefix, config.FailOnError, config.DryRun}, common...),
		Extra: []Extra{jsonFlag}, tolerant: true}
}

func (*Sourcemaps) Run(ctx context.Context, r *Invocation) error {
	cfg := r.Config
	if err := cfg.Require(config.Revision); err != nil {
		return err
	}
	if cfg.SourceMaps == "" && len(r.Args) == 0 {
		return cfg.Require(config.SourceMaps)
	}
	pairs, err := r.findMaps(ctx, r.Args)
	if err != nil {
		return err
	}
	if len(r.Args) > 0 { // shown as the setting's value, beside any it had
		cfg.SourceMaps = strings.Join(append(r.list(config.SourceMaps, cfg.SourceMaps), r.Args...), " ")
		cfg.Sources[config.SourceMaps] = strings.TrimPrefix(cfg.Source(config.SourceMaps)+" and arguments", " and ")
	}
	if cfg.DryRun {
		return r.showDryRun(mapRequests(cfg, pairs), cfg.Values(r.spec.Settings...))
	}
	if err := cfg.Require(config.AccessToken); err != nil {
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
