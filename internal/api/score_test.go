package api

import (
	"mime"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/report"
)

func TestReportFileName(t *testing.T) {
	tests := []struct {
		name, assessment string
		format           report.Format
		want             string
	}{
		{"plain", "Q4 2026", report.FormatPDF, "Q4-2026.pdf"},
		{"punctuation and quotes", "Acme \"prod\" / EU: review\r\n", report.FormatXLSX, "Acme-prod-EU-review.xlsx"},
		{"non-ASCII letters kept", "Évaluation été", report.FormatMarkdown, "Évaluation-été.md"},
		{"nothing usable", "???", report.FormatCSV, "report.csv"},
		{"no hidden file", "../secret", report.FormatHTML, "secret.html"},
		{"long", strings.Repeat("é", 150), report.FormatJSON, strings.Repeat("é", 100) + ".json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := reportFileName(tt.assessment, tt.format)
			if got != tt.want {
				t.Errorf("reportFileName(%q, %s) = %q, want %q", tt.assessment, tt.format, got, tt.want)
			}
			// The header value parses back to the same name.
			_, params, err := mime.ParseMediaType(mime.FormatMediaType("attachment", map[string]string{"filename": got}))
			if err != nil || params["filename"] != got {
				t.Errorf("Content-Disposition round trip: %q, %v", params["filename"], err)
			}
		})
	}
}
