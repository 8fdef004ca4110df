package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/rollbar-deploy/rollbar-deploy/internal/config"
)

func TestUsageNamesEveryFlag(t *testing.T) {
	t.Parallel()
	for _, f := range config.Flags() {
		assert.Contains(t, usage, "--"+f.Name+" ", "the help must not drift from the settings")
	}
}
