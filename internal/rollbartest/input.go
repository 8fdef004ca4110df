package rollbartest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
)

// input is a request body's parameters, whatever encoding the client chose.
type input struct {
	fields map[string]value
	files  []file // multipart file parts, in order
	err    error  // the body could not be parsed
}

// value is one parameter. JSON bodies may send non-strings, which Rollbar
// rejects by name, so the fake has to tell them apart.
type value struct {
	s        string
	isString bool
}

type file struct {
	field string
	data  []byte
}

func parseInput(r *http.Request, body []byte) input {
	in := input{fields: map[string]value{}}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return in
	}
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case mediaType == "multipart/form-data":
		in.err = in.parseMultipart(body, params["boundary"])
	case mediaType == "application/x-www-form-urlencoded":
		in.err = in.parseForm(body)
	case mediaType == "application/json", strings.HasSuffix(mediaType, "+json"), trimmed[0] == '{':
		in.err = in.parseJSON(body)
	default:
		in.err = in.parseForm(body)
	}
	return in
}

func (in *input) parseJSON(body []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return errors.New("not a JSON object")
	}
	for k, raw := range m {
		if string(raw) == "null" {
			continue // as if absent, which is how Rollbar's clients send it
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			in.fields[k] = value{s: s, isString: true}
		} else {
			in.fields[k] = value{s: string(raw)}
		}
	}
	return nil
}

func (in *input) parseForm(body []byte) error {
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return errors.New("malformed form")
	}
	for k, vs := range q {
		in.fields[k] = value{s: vs[0], isString: true}
	}
	return nil
}

func (in *input) parseMultipart(body []byte, boundary string) error {
	if boundary == "" {
		return errors.New("multipart body without a boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("malformed multipart body: %w", err)
		}
		data, err := io.ReadAll(part)
		if err != nil {
			return fmt.Errorf("malformed multipart body: %w", err)
		}
		name := part.FormName()
		switch {
		case name == "":
		case part.FileName() != "":
			in.files = append(in.files, file{field: name, data: data})
		default:
			if _, dup := in.fields[name]; !dup {
				in.fields[name] = value{s: string(data), isString: true}
			}
		}
	}
}

// accessToken finds the token: the header Rollbar prefers, else the
// deprecated access_token in the query or the body.
func accessToken(r *http.Request, in input) string {
	if t := r.Header.Get("X-Rollbar-Access-Token"); t != "" {
		return t
	}
	if t := r.URL.Query().Get("access_token"); t != "" {
		return t
	}
	if v := in.fields["access_token"]; v.isString {
		return v.s
	}
	return ""
}

// checker collects what is wrong with a request; Rollbar answers all of it
// at once, the missing keys first.
type checker struct {
	in               input
	missing, invalid []string
}

// text returns a string parameter, "" when absent or invalid. limit caps its
// length in characters, or in bytes when bytes is set; 0 is no cap.
func (c *checker) text(key string, limit int, inBytes bool) (s string, ok bool) {
	v, present := c.in.fields[key]
	switch {
	case !present:
		return "", true
	case !v.isString:
		c.invalid = append(c.invalid, fmt.Sprintf("'%s' key must be a string.", key))
		return "", false
	case inBytes && len(v.s) > limit:
		c.invalid = append(c.invalid, fmt.Sprintf("'%s' key must be at most %d bytes.", key, limit))
		return "", false
	case !inBytes && limit > 0 && len([]rune(v.s)) > limit:
		c.invalid = append(c.invalid, fmt.Sprintf("'%s' key must be at most %d characters.", key, limit))
		return "", false
	}
	return v.s, true
}

// status returns a deploy status parameter, "" when absent or invalid.
func (c *checker) status() string {
	s, _ := c.text("status", 0, false)
	switch s {
	case "", statusStarted, statusSucceeded, statusFailed, statusTimedOut:
		return s
	}
	c.invalid = append(c.invalid, "'status' key must be one of started, succeeded, failed, timed_out.")
	return ""
}

func (c *checker) message() string {
	return strings.Join(append(c.missing, c.invalid...), " ")
}
