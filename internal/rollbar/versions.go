package rollbar

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// codeVersionLength is how many characters of an SDK's code_version Rollbar
// keeps.
const codeVersionLength = 40

// CodeVersion is the version Rollbar files a revision's occurrences under:
// the first 40 characters (not bytes) of the code_version the SDK reports.
func CodeVersion(revision string) string {
	if r := []rune(revision); len(r) > codeVersionLength {
		return string(r[:codeVersionLength])
	}
	return revision
}

// Version is a code version (a deploy's revision, as the SDKs report it in
// code_version) in one environment, as the Versions API returns it, with
// what the watch reads of it. Times are Unix seconds, 0 when Rollbar has
// none: the occurrence fields can be null while the counts are above zero.
type Version struct {
	Version                  string    `json:"version"`
	Environment              string    `json:"environment"`
	FirstOccurrenceTimestamp int64     `json:"first_occurrence_timestamp"`
	ItemStats                ItemStats `json:"item_stats"`
}

// ItemStats counts the items (not occurrences) of a version by event, over
// the version's whole life in the environment.
type ItemStats struct {
	New         LevelCounts `json:"new"`
	Repeated    LevelCounts `json:"repeated"`
	Reactivated LevelCounts `json:"reactivated"`
	Resolved    LevelCounts `json:"resolved"`
}

// Reported tells whether the version shows that an SDK reports it: an
// occurrence, or an item counted at any level for any event. A version that
// a deploy alone made known has neither.
func (v Version) Reported() bool {
	all := Levels()
	s := v.ItemStats
	return v.FirstOccurrenceTimestamp != 0 ||
		s.New.Sum(all...)+s.Repeated.Sum(all...)+s.Reactivated.Sum(all...)+s.Resolved.Sum(all...) > 0
}

// LevelCounts counts items by level.
type LevelCounts struct {
	Debug    int `json:"debug"`
	Info     int `json:"info"`
	Warning  int `json:"warning"`
	Error    int `json:"error"`
	Critical int `json:"critical"`
}

// Levels are Rollbar's item levels, least severe first.
func Levels() []string { return []string{"debug", "info", "warning", "error", "critical"} }

// Sum adds the counts of the given levels; a name that is not a level adds
// nothing.
func (l LevelCounts) Sum(levels ...string) int {
	n := 0
	for _, level := range levels {
		switch level {
		case "debug":
			n += l.Debug
		case "info":
			n += l.Info
		case "warning":
			n += l.Warning
		case "error":
			n += l.Error
		case "critical":
			n += l.Critical
		}
	}
	return n
}

// Item is one item of a version, with what happened to it in that version.
type Item struct {
	ID                         int64  `json:"id"`
	Counter                    int64  `json:"counter"` // the number the web pages show
	Title                      string `json:"title"`
	Level                      string `json:"level"`
	Status                     string `json:"status"`
	Environment                string `json:"environment"`
	OccurrencesInVersion       int64  `json:"occurrences_in_version"`
	PeopleInVersion            int64  `json:"people_in_version"`
	FirstInVersionOccurrenceID int64  `json:"first_in_version_occurrence_id"`
	// LastInVersionOccurrenceTimestamp tells whether the item occurred since
	// a deploy started: the version's counts cover every deploy of it.
	LastInVersionOccurrenceTimestamp int64 `json:"last_in_version_occurrence_timestamp"`
}

// numericLevels are the numbers Rollbar's item objects elsewhere give levels.
var numericLevels = map[string]string{"10": "debug", "20": "info", "30": "warning", "40": "error", "50": "critical"}

// UnmarshalJSON accepts a level as a name or as Rollbar's number for it:
// Rollbar's item objects use both, and a gate must not fail on the form.
func (it *Item) UnmarshalJSON(b []byte) error {
	type plain Item
	var j struct {
		plain
		Level json.RawMessage `json:"level"`
	}
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*it = Item(j.plain)
	if name, ok := numericLevels[string(j.Level)]; ok {
		it.Level = name
	} else if len(j.Level) > 0 && string(j.Level) != "null" {
		return json.Unmarshal(j.Level, &it.Level)
	}
	return nil
}

// Version returns the item counts of a code version in an environment. A
// version Rollbar has seen nothing of is an error for which UnknownVersion
// is true.
func (c *Client) Version(ctx context.Context, version, environment string) (Version, error) {
	return read[Version](ctx, c, fmt.Sprintf("get version %q of %s", version, environment),
		versionPath(version, "", url.Values{"environment": {environment}}), "version")
}

// VersionItems returns one page of a version's items for one event (new,
// repeated, reactivated or resolved) at the given levels (all when none);
// past the last page it is empty.
func (c *Client) VersionItems(ctx context.Context, version, environment, event string, levels []string,
	page int) ([]Item, error) {
	q := url.Values{"environment": {environment}, "event": {event}, "page": {strconv.Itoa(page)}, "level": levels}
	return read[[]Item](ctx, c,
		fmt.Sprintf("list %s items of version %q of %s (page %d)", event, version, environment, page),
		versionPath(version, "/items", q), "item list")
}

// UnknownVersion reports whether err is Rollbar saying it knows no such
// version: a 404 in Rollbar's own JSON. Rollbar documents no message for it,
// so the answer's structure decides: a 404 that is not Rollbar's JSON (a
// wrong api_url) is an EndpointError, never an APIError.
func UnknownVersion(err error) bool {
	var api *APIError
	return errors.As(err, &api) && api.Status == http.StatusNotFound
}

// versionPath escapes the version: a revision may hold a slash or a '?'.
func versionPath(version, sub string, q url.Values) string {
	return "/api/1/versions/" + url.PathEscape(version) + sub + "?" + q.Encode()
}
