package rollbar

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
)

// SourceMap is one source map to upload for a revision.
type SourceMap struct {
	Version     string // the code version (the deploy's revision)
	MinifiedURL string // the URL the minified file is served from
	Name        string // the map's file name
	Map         []byte
}

// UploadSourceMap uploads one source map. Uploading the same map again
// replaces it, so retries are safe.
func (c *Client) UploadSourceMap(ctx context.Context, m SourceMap) error {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("version", m.Version)
	_ = w.WriteField("minified_url", m.MinifiedURL)
	part, err := w.CreateFormFile("source_map", m.Name)
	if err != nil {
		return err
	}
	if _, err := part.Write(m.Map); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.once(ctx, "upload source map for "+m.MinifiedURL, &request{
		method: http.MethodPost, path: "/api/1/sourcemap", token: c.Token,
		contentType: w.FormDataContentType(), body: body.Bytes(),
	})
}
