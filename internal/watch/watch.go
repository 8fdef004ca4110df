// Package watch is a deploy health gate: it polls Rollbar's counts of the
// items a code version brought, and fails as soon as the version has more new
// or reactivated items than the gate allows, or passes once the window is
// over. The API, the clock and the sleeping are injected, so a test runs a
// whole window at once.
package watch

import (
	"context"
	"errors"
	"slices"
	"time"
)

// Source is Rollbar's Versions API for one code version in one environment.
type Source interface {
	// Stats is the version's item counts per event and level. It returns
	// an error wrapping ErrUnknownVersion where Rollbar does not know the
	// version (yet).
	Stats(ctx context.Context) (Stats, error)
	// Items is one page (from 1) of the version's items for an event ("new",
	// "reactivated") at the given levels; a page past the last is empty.
	Items(ctx context.Context, event string, levels []string, page int) ([]Item, error)
}

// ErrUnknownVersion is what a Source answers for a version Rollbar has no
// record of: not an outage, since an SDK reports the version only with its
// first occurrence.
var ErrUnknownVersion = errors.New("no such code version in Rollbar")

// Stats holds the counts of items, not occurrences, that the version brought
// (new) or woke up (reactivated), per level, over all its deploys.
type Stats struct {
	New, Reactivated Levels
	// Reported tells that an SDK reports the version at all: it has an
	// occurrence, or an item counted at any level for any event.
	Reported bool
}

// Levels counts items per level name, as Rollbar's item_stats spell them.
type Levels map[string]int

// Item is one offending item. Its JSON names are Rollbar's, so --json
// shows it as Rollbar's API does.
type Item struct {
	ID                   int64  `json:"id"`
	Counter              int64  `json:"counter"`
	Title                string `json:"title"`
	Level                string `json:"level"`
	Status               string `json:"status"`
	OccurrencesInVersion int64  `json:"occurrences_in_version"`
	// LastOccurrence is the item's last occurrence in the version, in Unix
	// seconds; 0 when Rollbar did not say.
	LastOccurrence int64  `json:"last_in_version_occurrence_timestamp"`
	Event          string `json:"event"` // set by Watch: "new" or "reactivated"
}

// Gate is what a watch allows and for how long.
type Gate struct {
	For, Interval  time.Duration
	Levels         []string // the levels that count
	MaxNew         int      // new items allowed at Levels
	MaxReactivated int      // reactivated items allowed at Levels
	// Since is when the deploy judged started. A version's counts cover
	// every deploy of it (a rollback to it, a rerun), so an item whose last
	// occurrence in the version is before Since is an earlier deploy's and
	// is left out. Zero leaves none out.
	Since time.Time
	// Deploy is the deploy that started at Since; 0 when Since is the
	// watch's own start, no deploy being known.
	Deploy int64
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

// maxListed bounds the items kept in a report: the counts say how many more
// there are.
const maxListed = 50

// maxPages bounds the pages of one event's items read at each poll, so a
// version with thousands of items cannot stretch a poll: the items past
// them count as this deploy's (see Report.Unlisted).
const maxPages = 50

// Report is what a watch saw, as of its last good poll.
type Report struct {
	Gate   Gate
	Result Result
	// New and Reactivated are this deploy's items at the gate's levels: those
	// listed with an occurrence since Gate.Since, and those counted that the
	// item list does not show (yet).
	New, Reactivated int
	// Older are the items at the gate's levels left out as an earlier
	// deploy's: listed, with no occurrence since Gate.Since.
	Older int
	// Unlisted are the items of New and Reactivated that Rollbar counts but
	// does not list (its stats and lists lag each other): a count is data,
	// and an item too fresh to be listed is this deploy's.
	Unlisted int
	Items    []Item // this deploy's items listed; at most maxListed
	// OlderItems are the items left out, as Older counts them; at most
	// maxListed.
	OlderItems []Item
	Polls      int // requests for the stats, failed ones included
	// FailedPolls are the polls that met an outage.
	FailedPolls int
	// ItemRequests are the requests for the pages of items.
	ItemRequests int
	Elapsed      time.Duration
	Interrupted  bool // the context ended the watch before its window
	// Err is why the watch had no verdict (the outage at the end, the
	// interruption).
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
		return Report{Gate: g, Result: Unavailable},
			errors.New("the watch window must not be negative and the interval must be positive")
	}
	r := Report{Gate: g}
	start := clock.Now()
	seen := false
	for at := time.Duration(0); ; { // the time of this poll from the start
		look, err := poll(ctx, g.Interval, func(ctx context.Context) (sight, error) { return r.look(ctx, src) })
		switch {
		case ctx.Err() != nil:
			return r.interrupted(ctx, clock.Now().Sub(start)), nil
		case err == nil:
			seen = seen || look.reported
			r.Err = nil
			r.New, r.Reactivated, r.Older, r.Unlisted = look.new, look.reactivated, look.older, look.unlisted
			r.Items, r.OlderItems = look.items, look.olderItems
			if r.New > g.MaxNew || r.Reactivated > g.MaxReactivated {
				r.Result, r.Elapsed = Failed, clock.Now().Sub(start)
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

// poll bounds one poll by the interval, so that a hung connection or a
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

// sight is what one poll saw.
type sight struct {
	reported                          bool
	new, reactivated, older, unlisted int
	items, olderItems                 []Item
}

// look reads the counts, then the new and reactivated items at the gate's
// levels, every page, whatever the counts say: either can lag the other,
// and only the items tell this deploy's from an earlier one's.
func (r *Report) look(ctx context.Context, src Source) (sight, error) {
	stats, err := src.Stats(ctx)
	r.Polls++
	if err != nil {
		return sight{}, err
	}
	s := sight{reported: stats.Reported}
	for _, ev := range []struct {
		name   string
		counts Levels
		mine   *int
	}{{"new", stats.New, &s.new}, {"reactivated", stats.Reactivated, &s.reactivated}} {
		listed, seen := Levels{}, map[int64]bool{}
		for page := 1; page <= maxPages; page++ {
			items, err := src.Items(ctx, ev.name, r.Gate.Levels, page)
			r.ItemRequests++
			if err != nil {
				return sight{}, err
			}
			if len(items) == 0 {
				break
			}
			s.reported = true
			for _, it := range items {
				switch {
				case it.ID != 0 && seen[it.ID]:
					continue // on the next page too, as the list moved on between pages
				case !slices.Contains(r.Gate.Levels, it.Level):
					continue // a level not asked for: not the gate's to count
				}
				seen[it.ID] = true
				listed[it.Level]++
				it.Event = ev.name
				if it.LastOccurrence != 0 && it.LastOccurrence < r.Gate.Since.Unix() {
					s.older++
					s.olderItems = keep(s.olderItems, it)
					continue
				}
				*ev.mine++
				s.items = keep(s.items, it)
			}
		}
		for _, level := range r.Gate.Levels {
			n := max(0, ev.counts[level]-listed[level])
			*ev.mine += n
			s.unlisted += n
		}
	}
	return s, nil
}

// keep adds it to a report's list, up to maxListed.
func keep(list []Item, it Item) []Item {
	if len(list) < maxListed {
		list = append(list, it)
	}
	return list
}
