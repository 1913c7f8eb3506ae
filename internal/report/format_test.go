package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in      string
		want    Format
		wantErr string
	}{
		{"md", FormatMarkdown, ""},
		{"Markdown", FormatMarkdown, ""},
		{" HTML ", FormatHTML, ""},
		{"xlsx", FormatXLSX, ""},
		{"pdf", FormatPDF, ""},
		{"docx", "", `unknown report format "docx"; expected one of md, html, json, csv, xlsx, pdf, ccm-csv`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseFormat(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("ParseFormat(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

// TestWriteFormats renders every format but PDF (tested on its own) and
// checks the first bytes of each.
func TestWriteFormats(t *testing.T) {
	r := fixture(t, fixtureOptions{})
	tests := []struct {
		f      Format
		prefix string
		ctype  string
	}{
		{FormatMarkdown, "# Cloud security review 2026", "text/markdown"},
		{FormatHTML, "<!DOCTYPE html>", "text/html"},
		{FormatJSON, "{\n  \"organization\": \"Example Corp\"", "application/json"},
		{FormatCSV, "scope,domain,category,objective", "text/csv"},
		{FormatXLSX, "PK\x03\x04", "application/vnd.openxmlformats"},
	}
	for _, tt := range tests {
		t.Run(string(tt.f), func(t *testing.T) {
			var buf bytes.Buffer
			if err := r.Write(context.Background(), &buf, tt.f); err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(buf.Bytes(), []byte(tt.prefix)) {
				t.Errorf("output starts with %q, want %q", buf.Bytes()[:min(40, buf.Len())], tt.prefix)
			}
			if !strings.HasPrefix(tt.f.ContentType(), tt.ctype) {
				t.Errorf("content type %q, want %q…", tt.f.ContentType(), tt.ctype)
			}
		})
	}
	if err := r.Write(context.Background(), &bytes.Buffer{}, Format("docx")); err == nil {
		t.Error("unknown format: no error")
	}
}
