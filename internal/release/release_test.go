package release

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The release commit runs the very image released, in every file that names it.
func TestPinImage(t *testing.T) {
	t.Parallel()
	digest := "@sha256:" + "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12"
	ref := "ghcr.io/acme/rollbar-deploy:v1.2.3" + digest
	path := filepath.Join(t.TempDir(), "ci.yml")
	before := "image: ghcr.io/rollbar-deploy/rollbar-deploy:v1\n" +
		"default: ghcr.io/rollbar-deploy/rollbar-deploy:v1.0.0-rc.1@sha256:" + "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" + "\n" +
		"uses: docker://ghcr.io/OWNER/rollbar-deploy:vX\nimage: ghcr.io/acme/other:v1\n"
	require.NoError(t, os.WriteFile(path, []byte(before), 0o644))

	require.NoError(t, PinImage(ref, path))
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "image: "+ref+"\ndefault: "+ref+"\n"+
		"uses: docker://ghcr.io/OWNER/rollbar-deploy:vX\nimage: ghcr.io/acme/other:v1\n", string(got))

	for _, bad := range []string{"ghcr.io/acme/rollbar-deploy:v1.2.3", "ghcr.io/acme/rollbar-deploy:v1.2.3" + digest + " ", "rollbar-deploy@sha256:00"} {
		assert.Error(t, PinImage(bad, path), bad)
	}
}

// No pin for a version that is not a release tag, a repository that is not
// OWNER/NAME, or a release missing a binary.
func TestPinRefuses(t *testing.T) {
	t.Parallel()
	dist := t.TempDir()
	for _, a := range Assets()[1:] {
		require.NoError(t, os.WriteFile(filepath.Join(dist, a.Name), []byte(a.Name), 0o644))
	}
	assert.ErrorContains(t, Pin(t.TempDir(), "acme/rollbar-deploy", "v1.2.3", dist), "pinning rollbar-deploy_linux_amd64")
	assert.ErrorContains(t, Pin(t.TempDir(), "acme/rollbar-deploy", "1.2.3", dist), "not a release tag")
	for _, repo := range []string{"", "rollbar-deploy", "https://github.com/acme/rollbar-deploy", "acme/x y"} {
		assert.ErrorContains(t, Pin(t.TempDir(), repo, "v1.2.3", dist), "is not OWNER/NAME", repo)
	}
}
