package rollbartest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// versionFake has version abc deployed to production with three items, one
// of them seen only 5 minutes in, abc seen in staging without a deploy, and
// a/b whose one item is seen 10 minutes in.
func versionFake(t *testing.T) (*Server, *Clock) {
	t.Helper()
	clock := newClock()
	s := newServer(t, WithClock(clock.Now))
	createDeploy(t, s.URL, map[string]any{"environment": "production", "revision": "abc", "rollbar_username": "brianr"})
	s.AddItem("abc", "production", Item{Title: "TypeError", Occurrences: 7, People: 2}, 0)
	s.AddItem("abc", "production", Item{Level: "critical", Event: "reactivated"}, 5*time.Minute)
	s.AddItem("abc", "production", Item{Level: "warning", Event: "repeated"}, 0)
	s.AddItem("abc", "staging", Item{}, 0)
	s.AddItem("a/b", "production", Item{}, 10*time.Minute)
	return s, clock
}

func TestGetVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, path string
		wait       time.Duration
		wantStatus int
		wantStats  string // the non-zero counts, or Rollbar's message
	}{
		{name: "items visible at the start", path: "abc?environment=production", wantStatus: 200, wantStats: "new.error=1 repeated.warning=1"},
		{name: "an item seen later", path: "abc?environment=production", wait: 5 * time.Minute, wantStatus: 200,
			wantStats: "new.error=1 reactivated.critical=1 repeated.warning=1"},
		{name: "known by its items alone", path: "abc/?environment=staging", wantStatus: 200, wantStats: "new.error=1"},
		{name: "not seen yet", path: "a%2Fb?environment=production", wantStatus: 404, wantStats: versionGone},
		{name: "seen at last", path: "a%2Fb?environment=production", wait: 10 * time.Minute, wantStatus: 200, wantStats: "new.error=1"},
		{name: "known by a deploy alone", path: "r?environment=production", wantStatus: 200, wantStats: ""},
		{name: "unknown", path: "abc?environment=qa", wantStatus: 404, wantStats: versionGone},
		{name: "no environment", path: "abc", wantStatus: 422, wantStats: "Missing 'environment' key."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, clock := versionFake(t)
			createDeploy(t, s.URL, map[string]any{"environment": "production", "revision": "r"})
			clock.Add(tt.wait)
			got := do(t, s.URL, req{path: "/api/1/versions/" + tt.path, token: "read-token"})
			require.Equal(t, tt.wantStatus, got.status, "body: %s", got.body)
			if tt.wantStatus != http.StatusOK {
				assert.Equal(t, tt.wantStats, got.message(t))
				return
			}
			var v versionJSON
			require.NoError(t, json.Unmarshal(got.body, &okBody{Result: &v}))
			var stats []string
			for event, counts := range v.ItemStats {
				assert.Len(t, counts, 5, "every level, zeros too")
				for level, n := range counts {
					if n != 0 {
						stats = append(stats, fmt.Sprintf("%s.%s=%d", event, level, n))
					}
				}
			}
			slices.Sort(stats)
			assert.Len(t, v.ItemStats, 4, "every event")
			assert.Equal(t, tt.wantStats, strings.Join(stats, " "))
		})
	}
}

func TestVersionShape(t *testing.T) {
	t.Parallel()
	s, clock := versionFake(t)
	at := clock.Now().Unix()
	got := do(t, s.URL, req{path: "/api/1/versions/abc?environment=production", token: "read-token"})
	zero := `{"debug":0,"info":0,"warning":0,"error":0,"critical":0}`
	assert.JSONEq(t, fmt.Sprintf(`{"err":0,"result":{"id":%d,"version":"abc","environment":"production","date_created":%d,
		"first_occurrence_id":272505123000,"first_occurrence_timestamp":%d,"last_occurrence_id":272505125000,"last_occurrence_timestamp":%d,
		"deployed_by":"brianr","last_deploy_timestamp":%d,"commits":[],"item_stats":{"new":{"debug":0,"info":0,"warning":0,"error":1,"critical":0},
		"repeated":{"debug":0,"info":0,"warning":1,"error":0,"critical":0},"reactivated":%s,"resolved":%s}}}`,
		int64(got.result(t)["id"].(float64)), at, at, at, at, zero, zero), string(got.body))

	got = do(t, s.URL, req{path: "/api/1/versions/abc/items?environment=production&event=new", token: "read-token"})
	assert.JSONEq(t, fmt.Sprintf(`{"err":0,"result":[{"id":272505123,"counter":1,"environment":"production","title":"TypeError",
		"level":"error","status":"active","first_in_version_occurrence_id":272505123000,"first_in_version_occurrence_timestamp":%d,
		"last_in_version_occurrence_id":272505123006,"last_in_version_occurrence_timestamp":%d,
		"occurrences_in_version":7,"people_in_version":2}]}`, at, at), string(got.body))
}

func TestListVersionItems(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, query string
		wait        time.Duration
		wantStatus  int
		wantItems   []int64 // counters, or the count when wantCount
		wantCount   int
		wantMessage string
	}{
		{name: "new", query: "abc/items?environment=production&event=new", wantStatus: 200, wantItems: []int64{1}},
		{name: "reactivated, not seen yet", query: "abc/items?environment=production&event=reactivated", wantStatus: 200, wantItems: []int64{}},
		{name: "reactivated", query: "abc/items/?environment=production&event=reactivated", wait: 5 * time.Minute, wantStatus: 200, wantItems: []int64{2}},
		{name: "by level", query: "abc/items?environment=production&event=repeated&level=warning", wantStatus: 200, wantItems: []int64{3}},
		{name: "by another level", query: "abc/items?environment=production&event=repeated&level=error", wantStatus: 200, wantItems: []int64{}},
		{name: "a page of 100", query: "big/items?environment=production&event=new", wantStatus: 200, wantCount: 100},
		{name: "the rest", query: "big/items?environment=production&event=new&page=2", wantStatus: 200, wantCount: 1},
		{name: "past the end", query: "big/items?environment=production&event=new&page=3", wantStatus: 200, wantCount: 0},
		{name: "unknown version", query: "abc/items?environment=qa&event=new", wantStatus: 404, wantMessage: versionGone},
		{name: "no event", query: "abc/items?environment=production", wantStatus: 422, wantMessage: "Missing 'event' key."},
		{name: "two events", query: "abc/items?environment=production&event=new&event=reactivated", wantStatus: 422,
			wantMessage: "'event' key must be one of new, repeated, reactivated, resolved."},
		{name: "events in one", query: "abc/items?environment=production&event=new,reactivated&level=fatal", wantStatus: 422,
			wantMessage: "'event' key must be one of new, repeated, reactivated, resolved. 'level' key must be one of debug, info, warning, error, critical."},
		{name: "no environment", query: "abc/items?event=new", wantStatus: 422, wantMessage: "Missing 'environment' key."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, clock := versionFake(t)
			for range 101 {
				s.AddItem("big", "production", Item{}, 0)
			}
			clock.Add(tt.wait)
			got := do(t, s.URL, req{path: "/api/1/versions/" + tt.query, token: "read-token"})
			require.Equal(t, tt.wantStatus, got.status, "body: %s", got.body)
			if tt.wantStatus != http.StatusOK {
				assert.Equal(t, tt.wantMessage, got.message(t))
				return
			}
			var items []itemJSON
			require.NoError(t, json.Unmarshal(got.body, &okBody{Result: &items}))
			assert.Contains(t, string(got.body), `"result":[`, "never null")
			counters := []int64{}
			for _, it := range items {
				counters = append(counters, it.Counter)
			}
			if tt.wantItems != nil {
				assert.Equal(t, tt.wantItems, counters)
			} else {
				assert.Len(t, counters, tt.wantCount)
			}
		})
	}
}

// TestItemTimes: each answer shows an item after its own lag (the counts
// before the occurrence fields and the list, as in a stats lag), and an
// item that occurs again keeps its first occurrence and moves its last.
func TestItemTimes(t *testing.T) {
	t.Parallel()
	clock := newClock()
	s := newServer(t, WithClock(clock.Now))
	t0 := clock.Now().Unix()
	s.AddItem("abc", "production", Item{Title: "lagging", StampedAfter: 2 * time.Minute, ListedAfter: time.Minute}, 0)
	s.AddItem("abc", "production", Item{Title: "old", Counter: 9}, -time.Hour)

	type seen struct {
		Counted  int
		First    *int64
		Last     *int64
		Listed   []string
		ItemLast []int64
	}
	look := func() seen {
		var v versionJSON
		got := do(t, s.URL, req{path: "/api/1/versions/abc?environment=production", token: "read-token"})
		require.NoError(t, json.Unmarshal(got.body, &okBody{Result: &v}), "%s", got.body)
		var items []itemJSON
		got = do(t, s.URL, req{path: "/api/1/versions/abc/items?environment=production&event=new", token: "read-token"})
		require.NoError(t, json.Unmarshal(got.body, &okBody{Result: &items}), "%s", got.body)
		out := seen{Counted: v.ItemStats["new"]["error"], First: v.FirstOccurrenceTimestamp, Last: v.LastOccurrenceTimestamp}
		for _, it := range items {
			out.Listed, out.ItemLast = append(out.Listed, it.Title), append(out.ItemLast, it.LastInVersionOccurrenceTimestamp)
		}
		return out
	}
	at := func(n int64) *int64 { return &n }
	assert.Equal(t, seen{Counted: 2, First: at(t0 - 3600), Last: at(t0 - 3600), Listed: []string{"old"}, ItemLast: []int64{t0 - 3600}}, look(),
		"counted at once; the occurrence fields and the list show only the old item")
	clock.Add(time.Minute)
	assert.Equal(t, seen{Counted: 2, First: at(t0 - 3600), Last: at(t0 - 3600), Listed: []string{"lagging", "old"}, ItemLast: []int64{t0, t0 - 3600}}, look())
	clock.Add(time.Minute)
	assert.Equal(t, at(t0), look().Last, "stamped at last")

	again := s.AddItem("abc", "production", Item{Counter: 9, Occurrences: 2}, time.Minute)
	assert.Equal(t, int64(3), again.Occurrences, "the same item, occurring again")
	assert.Equal(t, []int64{t0, t0 - 3600}, look().ItemLast, "not before it occurs")
	clock.Add(time.Minute)
	assert.Equal(t, seen{Counted: 2, First: at(t0 - 3600), Last: at(t0 + 180), Listed: []string{"lagging", "old"}, ItemLast: []int64{t0, t0 + 180}}, look())

	s.AddItem("fresh", "production", Item{FirstBefore: time.Hour, ListedAfter: time.Hour, CountedAfter: time.Hour, StampedAfter: time.Hour}, 0)
	got := do(t, s.URL, req{path: "/api/1/versions/fresh/items?environment=production&event=new", token: "read-token"})
	require.Equal(t, http.StatusOK, got.status, "first occurred an hour ago, so every answer shows it: %s", got.body)
	assert.Contains(t, string(got.body), fmt.Sprintf(`"first_in_version_occurrence_timestamp":%d`, clock.Now().Add(-time.Hour).Unix()))
}

func TestItemsLevels(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	for _, level := range []string{"warning", "error", "critical"} {
		s.AddItem("abc", "production", Item{Title: level, Level: level}, 0)
	}
	for query, want := range map[string]string{
		"level=error&level=critical": "error critical", "level=warning": "warning", "": "warning error critical",
	} {
		got := do(t, s.URL, req{path: "/api/1/versions/abc/items?environment=production&event=new&" + query, token: "read-token"})
		var items []itemJSON
		require.NoError(t, json.Unmarshal(got.body, &okBody{Result: &items}), "%s", got.body)
		var titles []string
		for _, it := range items {
			titles = append(titles, it.Title)
		}
		assert.Equal(t, want, strings.Join(titles, " "), query)
	}
	got := do(t, s.URL, req{path: "/api/1/versions/abc/items?environment=production&event=new&level=error&level=fatal", token: "read-token"})
	assert.Equal(t, http.StatusUnprocessableEntity, got.status)
}
