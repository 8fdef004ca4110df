package rollbar

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/rollbar-deploy/rollbar-deploy/internal/text"
)

// APIError is an answer from Rollbar that was not a success: the HTTP status
// and Rollbar's own message, which is what a user needs to fix the cause.
type APIError struct {
	Op      string // what was attempted, e.g. "record deploy"
	Status  int
	Message string
	// Lost is an earlier attempt's failure after which Rollbar may have
	// carried the request out: its answer was lost, or was a 5xx.
	Lost error
}

func (e *APIError) Error() string {
	msg := text.OneLine(e.Message)
	if msg == "" {
		msg = "no message"
	}
	return fmt.Sprintf("%s: Rollbar answered %d %s: %s", e.Op, e.Status, http.StatusText(e.Status), msg)
}

// Transient reports whether the same request may succeed later: rate limits
// and server-side failures are Rollbar's, everything else is the caller's.
func (e *APIError) Transient() bool {
	return e.Status == http.StatusTooManyRequests || e.Status >= 500
}

// NotStarted reports whether Rollbar refused an update because the deploy is
// no longer started: Rollbar timed it out, or it was already finished.
// Rollbar answers 409 or 422 with this message, so the message decides.
func (e *APIError) NotStarted() bool {
	return (e.Status == http.StatusConflict || e.Status == http.StatusUnprocessableEntity) &&
		strings.Contains(e.Message, "status is not started")
}

// lacksRead reports a token without the read scope.
func lacksRead(err error) bool {
	var api *APIError
	return errors.As(err, &api) && (api.Status == http.StatusForbidden || strings.Contains(api.Message, "insufficient privileges"))
}

// Hint says what to do about the error, where Rollbar's message alone leaves
// a user guessing.
func (e *APIError) Hint() string {
	switch {
	case e.Status == http.StatusUnauthorized, e.Status == http.StatusForbidden,
		strings.Contains(e.Message, "access token"):
		return "the access token is invalid, expired or lacks the scope: recording needs a post_server_item token; get, list and watch a read token (set read_access_token, ROLLBAR_READ_ACCESS_TOKEN)"
	case strings.Contains(e.Message, "Deploy not found"):
		return "the deploy id belongs to another Rollbar project, or the token is for another project"
	case e.Status == http.StatusNotFound:
		return fmt.Sprintf("Rollbar's API has no such path: check api_url (ROLLBAR_API_URL), which is %s unless you use a proxy", DefaultBaseURL)
	case e.NotStarted():
		return "the deploy is no longer started (Rollbar timed it out, or it was already finished): only a started deploy can be updated"
	case e.Status == http.StatusRequestEntityTooLarge:
		return "the request is over Rollbar's 128 KB limit: shorten the comment"
	case e.Status == http.StatusTooManyRequests:
		return "the token's rate limit is used up; try again in a minute"
	case e.Status >= 500:
		return "Rollbar is having trouble; try again later"
	}
	return ""
}

// Hint says what to do about err, for the errors of this package that have
// advice to give; "" otherwise.
func Hint(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// EndpointError is a request that reached something other than Rollbar's
// API, or no host at all: the api_url setting is wrong. No retry fixes
// that, so it is not Transient.
type EndpointError struct {
	Op      string
	BaseURL string // the API URL used, without credentials or query
	Reason  string // what showed it, e.g. "the host name does not resolve"
	Err     error  // the network error behind it, if any
}

func (e *EndpointError) Error() string { return e.Op + ": " + e.Reason }
func (e *EndpointError) Unwrap() error { return e.Err }

// Hint points at the setting to fix.
func (e *EndpointError) Hint() string {
	return fmt.Sprintf("check api_url (ROLLBAR_API_URL): %s is not Rollbar's API, which is %s", e.BaseURL, DefaultBaseURL)
}

// wrongEndpoint is what shows that a request failed for want of reaching
// Rollbar's API at all, or "" for an ordinary network failure. A DNS failure
// that may pass (a timeout, a server failure) stays an outage.
func wrongEndpoint(err error) string {
	var dnsErr *net.DNSError
	var record tls.RecordHeaderError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return "the host name " + dnsErr.Name + " does not resolve"
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "the server speaks plain HTTP, not HTTPS"
	}
	return ""
}

// wrongAnswer is what shows that an error answer came from a server other
// than Rollbar's API, or "" when it may be Rollbar's: Rollbar answers an
// unknown path with its JSON, and redirects nowhere.
func wrongAnswer(resp *http.Response, data []byte) string {
	var body struct {
		Err *int `json:"err"`
	}
	status := resp.StatusCode
	switch {
	case status >= 300 && status < 400:
		where := "elsewhere"
		if u, err := resp.Location(); err == nil {
			where = "to " + shownURL(u)
		}
		return fmt.Sprintf("the server answered %d, redirecting %s, which is not followed (the token would go with it)", status, where)
	case json.Unmarshal(data, &body) == nil && body.Err != nil:
		return ""
	case status == http.StatusNotFound:
		return "the server answered 404 with a page that is not Rollbar's (" + snippet(data) + ")"
	case status == http.StatusBadRequest && strings.Contains(string(data), "HTTP request to an HTTPS server"):
		return "the server speaks HTTPS, not plain HTTP"
	}
	return ""
}

// NetworkError is a request that got no usable answer: Rollbar could not be
// reached, the connection broke, or the answer was not Rollbar's JSON.
type NetworkError struct {
	Op  string
	Err error
}

func (e *NetworkError) Error() string { return e.Op + ": " + describe(e.Err) }
func (e *NetworkError) Unwrap() error { return e.Err }

// ResponseError is a 2xx answer that cannot be what Rollbar sends: a body that
// is not JSON (a proxy's HTML page), or a create answer without an id.
type ResponseError struct {
	Op     string
	Status int
	Reason string
}

func (e *ResponseError) Error() string {
	return fmt.Sprintf("%s: unexpected answer from Rollbar (HTTP %d): %s", e.Op, e.Status, e.Reason)
}

// Transient reports whether err is an outage rather than something the user
// must fix: network failures, timeouts, 429 and 5xx.
func Transient(err error) bool {
	// The outermost error that can tell decides: an APIError, or an error
	// that wraps one and knows better.
	var t interface{ Transient() bool }
	if errors.As(err, &t) {
		return t.Transient()
	}
	var netErr *NetworkError
	return errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded)
}

// describe turns Go's nested network errors into the one phrase a person
// needs, without URLs or internal chains.
func describe(err error) string {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer before the timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.As(err, &dnsErr):
		return "cannot resolve host " + dnsErr.Name
	case errors.Is(err, errNoAnswer):
		return "the connection closed before Rollbar answered"
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return opErr.Err.Error()
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	if msg == "EOF" {
		return "the connection closed before Rollbar answered"
	}
	return msg
}

var errNoAnswer = errors.New("no answer")
