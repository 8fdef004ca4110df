package command

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestListTooLargePage: a page of 5000 deploys too large to read (long
// comments) is read as the pages of 100 it spans, and the walk goes on.
func TestListTooLargePage(t *testing.T) {
	t.Parallel()
	const total = 330
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		mu.Lock()
		asked = append(asked, fmt.Sprintf("%d@%d", page, limit))
		mu.Unlock()
		if limit > 100 { // more than the client reads
			fmt.Fprintf(w, `{"err":0,"result":{"deploys":[{"comment":"%s"}]}}`, strings.Repeat("x", 5<<20))
			return
		}
		deploys := []map[string]any{}
		for i := (page - 1) * limit; i < min(page*limit, total); i++ {
			deploys = append(deploys, map[string]any{"id": 1000 + i, "environment": "production"})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"err": 0, "result": map[string]any{"deploys": deploys}})
	}))
	t.Cleanup(srv.Close)
	env := map[string]string{"ROLLBAR_API_URL": srv.URL, "ROLLBAR_READ_ACCESS_TOKEN": "read-token", "ROLLBAR_CI": "none"}
	var stdout, stderr bytes.Buffer
	cli := &CLI{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }, Dir: t.TempDir()}
	require.Equal(t, ExitOK, cli.Main(context.Background(), []string{"list", "--all", "--json"}), stderr.String())
	var got []struct{ ID int64 }
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &got))
	assert.Len(t, got, total)
	assert.Equal(t, int64(1000+total-1), got[total-1].ID)
	assert.Equal(t, []string{"1@5000", "1@100", "2@100", "3@100", "4@100", "2@5000", "51@100"}, asked)
}
