package rollbartest

import "net/http/httptest"

// Server is a Handler served on 127.0.0.1 for tests in the same process.
type Server struct {
	URL string // the base URL, such as http://127.0.0.1:41234
	*Handler
	ts *httptest.Server
}

// NewServer starts a fake Rollbar; Close it when done.
func NewServer(opts ...Option) *Server {
	h := NewHandler(opts...)
	ts := httptest.NewServer(h)
	return &Server{URL: ts.URL, Handler: h, ts: ts}
}

// Close releases hanging requests and shuts the server down.
func (s *Server) Close() {
	s.Handler.Close()
	s.ts.Close()
}
