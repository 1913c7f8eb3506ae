package report

import (
	"context"
	"fmt"
	"io"
	"strings"
)

// Format is an output format of the report.
type Format string

// The formats of the report.
const (
	FormatMarkdown Format = "md"
	FormatHTML     Format = "html"
	FormatJSON     Format = "json"
	FormatCSV      Format = "csv"
	FormatXLSX     Format = "xlsx"
	FormatPDF      Format = "pdf"
	// FormatCCMCSV is the CSA Cloud Controls Matrix crosswalk as CSV.
	FormatCCMCSV Format = "ccm-csv"
)

// Formats lists every format, in the order help texts show them.
var Formats = []Format{FormatMarkdown, FormatHTML, FormatJSON, FormatCSV, FormatXLSX, FormatPDF, FormatCCMCSV}

// ParseFormat reads a format name as a user writes it (case-insensitive;
// "markdown" is accepted for md).
func ParseFormat(s string) (Format, error) {
	f := Format(strings.ToLower(strings.TrimSpace(s)))
	if f == "markdown" {
		return FormatMarkdown, nil
	}
	for _, known := range Formats {
		if f == known {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, k := range Formats {
		names[i] = string(k)
	}
	return "", fmt.Errorf("unknown report format %q; expected one of %s", s, strings.Join(names, ", "))
}

// ContentType is the media type to serve the format with.
func (f Format) ContentType() string {
	switch f {
	case FormatMarkdown:
		return "text/markdown; charset=utf-8"
	case FormatHTML:
		return "text/html; charset=utf-8"
	case FormatJSON:
		return "application/json"
	case FormatCSV, FormatCCMCSV:
		return "text/csv; charset=utf-8"
	case FormatXLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case FormatPDF:
		return "application/pdf"
	}
	return "application/octet-stream"
}

// Extension is the file name extension of the format, with its dot.
func (f Format) Extension() string {
	if f == FormatCCMCSV {
		return ".ccm.csv"
	}
	return "." + string(f)
}

// Write renders the report in the given format. Only PDF uses ctx, to bound
// the browser; it needs Chromium (see WritePDF).
func (r *Report) Write(ctx context.Context, w io.Writer, f Format) error {
	switch f {
	case FormatMarkdown:
		return r.WriteMarkdown(w)
	case FormatHTML:
		return r.WriteHTML(w)
	case FormatJSON:
		return r.WriteJSON(w)
	case FormatCSV:
		return r.WriteCSV(w)
	case FormatCCMCSV:
		return r.WriteCCMCSV(w)
	case FormatXLSX:
		return r.WriteXLSX(w)
	case FormatPDF:
		html, err := r.HTML()
		if err != nil {
			return err
		}
		return WritePDF(ctx, w, html)
	}
	return fmt.Errorf("unknown report format %q", f)
}
