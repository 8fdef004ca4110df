package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"abc123":                         "abc123",
		"abc\n::error title=x::forged":   `abc\n::error title=x::forged`,
		"a\r\nb":                         `a\r\nb`,
		"tab\there":                      `tab\there`,
		"esc \x1b[31mred":                `esc \x1b[31mred`,
		"nel \u0085 ls \u2028 ps \u2029": `nel \u0085 ls \u2028 ps \u2029`,
		"bidi \u202e":                    `bidi \u202e`,
		"bad \xff byte":                  `bad \xff byte`,
		"日本語 é":                          "日本語 é",
		`C:\dist\a.map`:                  `C:\dist\a.map`,
	} {
		if got := OneLine(in); got != want {
			t.Errorf("OneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzOneLine proves that no value, however it arrived, can start a line of
// its own where it is printed: so none can start a workflow command.
func FuzzOneLine(f *testing.F) {
	for _, s := range []string{"abc\n::error::x", "\r::warning::", "\u2028::notice::", "\xff\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := OneLine(s)
		if strings.ContainsAny(got, "\n\r\u0085\u2028\u2029") || !utf8.ValidString(got) {
			t.Fatalf("OneLine(%q) = %q: not one valid line", s, got)
		}
		for _, r := range got {
			if unsafe(r) {
				t.Fatalf("OneLine(%q) = %q keeps %U", s, got, r)
			}
		}
		if !strings.ContainsFunc(s, unsafe) && utf8.ValidString(s) && got != s {
			t.Fatalf("OneLine(%q) = %q changed a safe value", s, got)
		}
	})
}

func TestCut(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"日本語の環境", 7, "日本語…"}, // two columns each
		{"éé", 2, "éé"},
	} {
		if got := Cut(tt.in, tt.n); got != tt.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	if w := Width("日本"); w != 4 {
		t.Errorf("Width(日本) = %d, want 4", w)
	}
}
