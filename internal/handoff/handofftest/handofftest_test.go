package handofftest

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseFileCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		want       map[string]string // nil: refused
		wantOnce   map[string]string // nil: refused by ParseFileCommandsOnce
	}{
		{"empty", "", map[string]string{}, map[string]string{}},
		{"plain", "a=1\nb=x=y\n\n", map[string]string{"a": "1", "b": "x=y"}, map[string]string{"a": "1", "b": "x=y"}},
		{"heredoc", "a<<EOF\nl1\n\nl3\nEOF\n", map[string]string{"a": "l1\n\nl3"}, map[string]string{"a": "l1\n\nl3"}},
		{"CRLF", "a<<EOF\r\nv\r\nEOF\r\n", map[string]string{"a": "v"}, map[string]string{"a": "v"}},
		{"= before <<", "a=b<<c\n", map[string]string{"a": "b<<c"}, map[string]string{"a": "b<<c"}},
		{"<< before =", "a<<b=c\nv\nb=c\n", map[string]string{"a": "v"}, map[string]string{"a": "v"}},
		{"the later wins", "a=1\na<<D\n2\nD\n", map[string]string{"a": "2"}, nil},
		{"empty name", "=1\n", nil, nil},
		{"empty heredoc name", "<<EOF\nv\nEOF\n", nil, nil},
		{"empty delimiter", "a<<\nv\n\n", nil, nil},
		{"no delimiter", "a<<EOF\nv\n", nil, nil},
		{"not a command", "a\n", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseFileCommands([]byte(tt.data))
			if tt.want == nil {
				assert.Error(t, err)
			} else if assert.NoError(t, err) {
				assert.Equal(t, tt.want, got)
			}
			got, err = ParseFileCommandsOnce([]byte(tt.data))
			if tt.wantOnce == nil {
				assert.Error(t, err)
			} else if assert.NoError(t, err) {
				assert.Equal(t, tt.wantOnce, got)
			}
		})
	}
}

func TestParseDotenv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, data string
		want       map[string]string // nil: refused
	}{
		{"report", "ROLLBAR_DEPLOY_ID=1\n_x9=https://r/1/\n", map[string]string{"ROLLBAR_DEPLOY_ID": "1", "_x9": "https://r/1/"}},
		{"empty value", "A=\n", map[string]string{"A": ""}},
		{"empty file", "", nil},
		{"not KEY=VALUE", "A=1\nB\n", nil},
		{"key starts with a digit", "1A=1\n", nil},
		{"key with a dash", "A-B=1\n", nil},
		{"space in value", "A=1 B=2\n", nil},
		{"key twice", "A=1\nA=2\n", nil},
		{"blank line", "A=1\n\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDotenv([]byte(tt.data))
			if tt.want == nil {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTableCells(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line string
		want []string
	}{
		{"| a | b |", []string{"a", "b"}},
		{"| User |  |", []string{"User", ""}},
		{`| a \| b | c \\|`, nil}, // the last pipe is escaped: no " |" end
		{`| a \| b | c \\ |`, []string{`a \| b`, `c \\`}},
		{`| a | b \|x |`, []string{"a", `b \|x`}},
		{"|a|b|", nil},
		{"| a | b", nil},
		{"", nil},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, TableCells(tt.line), "%q", tt.line)
	}
}

func TestSummaryRows(t *testing.T) {
	t.Parallel()
	head := "### Rollbar deploy\n\n| | |\n|---|---|\n"
	rows, err := SummaryRows([]byte(head + "| Environment | prod \\| x |\n| User | ada |\n"))
	require.NoError(t, err)
	assert.Equal(t, []string{"Environment", "User"}, rows)

	for name, s := range map[string]string{
		"no table end":     head + "| User | ada |",
		"three cells":      head + "| User | a | b |\n",
		"a CR adds a line": head + "| User | a\r| x | y |\n",
		"no heading":       "| | |\n|---|---|\n| User | ada |\n",
	} {
		_, err := SummaryRows([]byte(s))
		assert.Error(t, err, name)
	}
}
