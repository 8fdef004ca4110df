package rollbar

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
)

// MaxSourceMap is the largest source map Rollbar accepts: its uploads are
// capped at 64 MB.
const MaxSourceMap = 64 << 20

// opUpload starts the operation of every upload, which its hints know by.
const opUpload = "upload source map"

// SourceMap is one source map to upload for a revision.
type SourceMap struct {
	Version     string // the code version (the deploy's revision)
	MinifiedURL string // the URL the minified file is served from
	Name        string // the map's file name
	// Open opens the map, once for each attempt: it is streamed, never held
	// in memory, so that a 60 MB map costs a buffer, not 60 MB.
	Open func() (io.ReadCloser, error)
	Size int64 // the map's size in bytes
}

// UploadSourceMap uploads one source map. Uploading the same map again
// replaces it, so retries are safe.
func (c *Client) UploadSourceMap(ctx context.Context, m SourceMap) error {
	// The multipart body is its head, the map, and its tail: the writer
	// writes the head and, closed, the tail, and the map streams between.
	var form bytes.Buffer
	w := multipart.NewWriter(&form)
	_ = w.WriteField("version", m.Version)
	_ = w.WriteField("minified_url", m.MinifiedURL)
	if _, err := w.CreateFormFile("source_map", m.Name); err != nil {
		return err
	}
	headLen := form.Len()
	if err := w.Close(); err != nil {
		return err
	}
	head, tail := form.Bytes()[:headLen], form.Bytes()[headLen:]
	return c.once(ctx, opUpload+" for "+m.MinifiedURL, &request{
		method: http.MethodPost, path: "/api/1/sourcemap", token: c.Token,
		contentType: w.FormDataContentType(), length: int64(len(head)+len(tail)) + m.Size,
		stream: func() (io.ReadCloser, error) {
			f, err := m.Open()
			if err != nil {
				return nil, err
			}
			return struct {
				io.Reader
				io.Closer
			}{io.MultiReader(bytes.NewReader(head), io.LimitReader(f, m.Size), bytes.NewReader(tail)), f}, nil
		},
	})
}
