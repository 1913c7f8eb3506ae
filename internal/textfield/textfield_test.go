package textfield_test

import (
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/textfield"
)

func TestNameAndNote(t *testing.T) {
	tests := []struct {
		name  string
		check func(string, string) error
		v     string
		want  string // "" when accepted
	}{
		{"plain name", textfield.Name, "Production AWS — Q3 ✓", ""},
		{"empty name", textfield.Name, "", ""},
		{"name at the limit", textfield.Name, strings.Repeat("é", textfield.MaxName), ""},
		{"name over the limit", textfield.Name, strings.Repeat("é", textfield.MaxName+1), "the field is 201 characters long; the limit is 200"},
		{"NUL in a name", textfield.Name, "a\x00b", "the field contains the control character U+0000 at character 2; names may not contain control characters"},
		{"newline in a name", textfield.Name, "a\nb", "U+000A at character 2"},
		{"tab in a name", textfield.Name, "a\tb", "U+0009"},
		{"DEL in a name", textfield.Name, "a\x7f", "U+007F"},
		{"C1 control in a name", textfield.Name, "a\u0085", "U+0085"},
		{"invalid UTF-8", textfield.Name, "a\xffb", "the field is not valid UTF-8 text"},
		{"multi-line note", textfield.Note, "line one\r\n\tline two\n", ""},
		{"note at the limit", textfield.Note, strings.Repeat("x", textfield.MaxNote), ""},
		{"note over the limit", textfield.Note, strings.Repeat("x", textfield.MaxNote+1), "the field is 10001 characters long; the limit is 10000"},
		{"NUL in a note", textfield.Note, "ok\x00", "U+0000 at character 3; only tab and line breaks are allowed"},
		{"escape in a note", textfield.Note, "\x1b[31mred", "U+001B at character 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.check("the field", tt.v)
			if tt.want == "" {
				if err != nil {
					t.Errorf("got %v, want no error", err)
				}
				return
			}
			if csmm.ErrorCode(err) != csmm.EINVALID || !strings.Contains(csmm.ErrorMessage(err), tt.want) {
				t.Errorf("got %v, want invalid with %q", err, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	if err := textfield.Check(nil, textfield.Name("a", "x\x00"), textfield.Name("b", "y\x00")); !strings.HasPrefix(csmm.ErrorMessage(err), "a contains") {
		t.Errorf("Check: %v, want the first error", err)
	}
	if err := textfield.Check(nil, nil); err != nil {
		t.Errorf("Check of nils: %v", err)
	}
}
