// Package watch is a deploy health gate: it polls Rollbar's counts of the
// items a code version brought, and fails as soon as the version has more new
// or reactivated items than the gate allows, or passes once the window is
// over. The API, the clock and the sleeping are injected, so a test runs a
// whole window at once.
package watch

import (
	"context"
	"errors"
	"time"
)

// Source is Rollbar's Versions API for one code version in one environment.
type Source interface {
	// Stats is the version's item counts per event and level. It returns
	// an error wrapping ErrUnknownVersion where Rollbar does not know the
	// version (yet).
	Stats(ctx context.Context) (Stats, error)
	// Items is one page (from 1) of the version's items for an event ("new",
	// "reactivated") at a level; a page past the last is empty.
	Items(ctx context.Context, event, level string, page int) ([]Item, error)
}

// ErrUnknownVersion is what a Source answers for a version Rollbar has no
// record of: not an outage, since an SDK reports the version only with its
// first occurrence.
var ErrUnknownVersion = errors.New("no such code version in Rollbar")

// Stats holds the counts of items, not occurrences, that the version brought
// (new) or woke up (reactivated), per level.
type Stats struct {
	New, Reactivated Levels
}

// Levels counts items per level name, as Rollbar's item_stats spell them.
type Levels map[string]int

func (l Levels) sum(levels []string) int {
	n := 0
	for _, name := range levels {
		n += l[name]
	}
	return n
}

// Item is one offending item. Its JSON names are Rollbar's, so --json
// shows it as Rollbar's API does.
type Item struct {
	ID                   int64  `json:"id"`
	Counter              int64  `json:"counter"`
	Title                string `json:"title"`
	Level                string `json:"level"`
	Status               string `json:"status"`
	OccurrencesInVersion int64  `json:"occurrences_in_version"`
	Event                string `json:"event"` // set by Watch: "new" or "reactivated"
}

// Gate is what a watch allows and for how long.
type Gate struct {
	For, Interval  time.Duration
	Levels         []string // the levels that count
	MaxNew         int      // new items allowed at Levels
	MaxReactivated int      // reactivated items allowed at Levels
	// Transient tells an outage (retried at the next poll) from an error the
	// user must fix (which ends the watch at once). Nil: every error ends it.
	Transient func(error) bool
}

// Result is a watch's verdict.
type Result string

// The verdicts, as the pipeline outputs spell them.
const (
	Passed      Result = "passed"      // the window ended within the gate
	Failed      Result = "failed"      // the gate was breached
	NoData      Result = "no_data"     // Rollbar never knew the version in the window
	Unavailable Result = "unavailable" // no verdict: an outage, an error or an interruption
)

// maxListed bounds the items listed in a report, and so the requests made
// for them: the counts say how many more there are.
const maxListed = 50

// Report is what a watch saw.
type Report struct {
	Gate        Gate
	Result      Result
	New         int    // new items at the gate's levels, at the last good poll
	Reactivated int    // reactivated items at the gate's levels
	Items       []Item // the offending items, when failed; at most maxListed
	Polls       int    // requests for the stats, failed ones included
	FailedPolls int    // of them, outages
	// ItemRequests are the requests for the pages of Items.
	ItemRequests int
	Elapsed      time.Duration
	Interrupted  bool // the context ended the watch before its window
	// Err is why the watch had no verdict (the outage at the end, the
	// interruption), or, when failed, why the items could not be listed.
	Err error
}

// Requests is every request the watch made.
func (r Report) Requests() int { return r.Polls + r.ItemRequests }

// Clock is the time and the sleeping of a watch.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// Watch polls src every g.Interval for g.For: at once, then at each interval
// and a last time when the window ends. It returns as soon as a poll breaches
// the gate (failed, with the offending items), or at the end of the window.
//
// The counts are the version's totals so far, so a poll that fails only
// delays the verdict: an outage is retried at the next poll and costs the
// verdict only if the poll at the end of the window fails too (unavailable,
// with that error). Each request has at most one interval (on the real
// clock, which the context uses), retries included, so a watch that does not
// fail takes at most For+Interval. An error the user must fix (see
// Gate.Transient) ends the watch at once: it is returned, with the report so
// far. When ctx ends first the report says so (Interrupted, with the
// verdict unavailable unless the gate was already breached).
func Watch(ctx context.Context, g Gate, src Source, clock Clock) (Report, error) {
	if g.Interval <= 0 || g.For < 0 {
		return Report{Gate: g, Result: Unavailable}, errors.New("the watch window must not be negative and the interval must be positive")
	}
	r := Report{Gate: g}
	start := clock.Now()
	seen := false
	for at := time.Duration(0); ; { // the time of this poll from the start
		stats, err := poll(ctx, g.Interval, src.Stats)
		r.Polls++
		switch {
		case ctx.Err() != nil:
			return r.interrupted(ctx, clock.Now().Sub(start)), nil
		case err == nil:
			seen = true
			r.Err = nil
			r.New, r.Reactivated = stats.New.sum(g.Levels), stats.Reactivated.sum(g.Levels)
			if r.New > g.MaxNew || r.Reactivated > g.MaxReactivated {
				r.Result = Failed
				r.list(ctx, src, stats)
				r.Elapsed = clock.Now().Sub(start)
				return r, nil
			}
		case errors.Is(err, ErrUnknownVersion):
			r.Err = nil
		case g.Transient != nil && g.Transient(err):
			r.FailedPolls++
			r.Err = err
		default:
			r.Result, r.Err, r.Elapsed = Unavailable, err, clock.Now().Sub(start)
			return r, err
		}
		if at >= g.For {
			break
		}
		at = min(at+g.Interval, g.For)
		select {
		case <-ctx.Done():
			return r.interrupted(ctx, clock.Now().Sub(start)), nil
		case <-clock.After(start.Add(at).Sub(clock.Now())):
		}
	}
	r.Elapsed = clock.Now().Sub(start)
	switch {
	case r.Err != nil:
		r.Result = Unavailable
	case !seen:
		r.Result = NoData
	default:
		r.Result = Passed
	}
	return r, nil
}

// poll bounds one request by the interval, so that a hung connection or a
// client's retries cannot stretch the window.
func poll[T any](ctx context.Context, limit time.Duration, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	return f(ctx)
}

func (r Report) interrupted(ctx context.Context, elapsed time.Duration) Report {
	r.Result, r.Interrupted, r.Err, r.Elapsed = Unavailable, true, context.Cause(ctx), elapsed
	return r
}

// list fetches the offending items, at most maxListed, stopping at a level's
// count so that no request is spent on the empty page after the last. The
// verdict stands whatever happens here: a failure is kept in r.Err.
func (r *Report) list(ctx context.Context, src Source, stats Stats) {
	for _, ev := range []struct {
		name   string
		counts Levels
	}{{"new", stats.New}, {"reactivated", stats.Reactivated}} {
		for _, level := range r.Gate.Levels {
			got := 0
			for page := 1; got < ev.counts[level] && len(r.Items) < maxListed; page++ {
				items, err := poll(ctx, r.Gate.Interval, func(ctx context.Context) ([]Item, error) {
					return src.Items(ctx, ev.name, level, page)
				})
				r.ItemRequests++
				if err != nil {
					r.Err, r.Interrupted = err, ctx.Err() != nil
					return
				}
				if len(items) == 0 {
					break
				}
				items = items[:min(len(items), maxListed-len(r.Items))]
				for _, it := range items {
					it.Event = ev.name
					r.Items = append(r.Items, it)
				}
				got += len(items)
			}
		}
	}
}
