package api

import "testing"

// TestContentDisposition checks the download header of awkward file names.
func TestContentDisposition(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"report.pdf", `attachment; filename="report.pdf"`},
		{"a b'c.txt", `attachment; filename="a b'c.txt"`},
		{"Prüfbericht 2026.pdf", `attachment; filename="Pr_fbericht 2026.pdf"; filename*=UTF-8''Pr%C3%BCfbericht%202026.pdf`},
		{`x"y\z`, `attachment; filename="x_y_z"`},
	} {
		if got := ContentDisposition(tc.name); got != tc.want {
			t.Errorf("ContentDisposition(%q) = %s, want %s", tc.name, got, tc.want)
		}
	}
}
