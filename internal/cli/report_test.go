package cli_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/csmm/csmm/internal/report"
	"github.com/xuri/excelize/v2"
)

func TestReportGolden(t *testing.T) {
	for _, format := range []string{"html", "md", "json", "csv"} {
		t.Run(format, func(t *testing.T) {
			r := run(t, "", "report", acme, "--format", format, "--as-of", asOf).wantCode(t, 0)
			if r.stderr != "" {
				t.Errorf("stderr: %s", r.stderr)
			}
			golden(t, "acme.report."+format, []byte(r.stdout))

			// -o writes the same bytes to the file.
			out := filepath.Join(t.TempDir(), "report."+format)
			r2 := run(t, "", "report", acme, "--format", format, "--as-of", asOf, "-o", out).wantCode(t, 0)
			if r2.stdout != "" {
				t.Errorf("stdout with -o: %.200s", r2.stdout)
			}
			if got := readFile(t, out); got != r.stdout {
				t.Errorf("-o %s differs from standard output", out)
			}
		})
	}
}

// TestReportDefault is the README's main command: html to standard output.
func TestReportDefault(t *testing.T) {
	r := run(t, "", "report", acme).wantCode(t, 0)
	if !strings.HasPrefix(strings.TrimSpace(r.stdout), "<!DOCTYPE html>") && !strings.HasPrefix(strings.TrimSpace(strings.ToLower(r.stdout)), "<!doctype html>") {
		t.Errorf("the default report is not HTML:\n%.200s", r.stdout)
	}
	if !strings.Contains(r.stdout, "Acme Payments") {
		t.Errorf("the report does not name the organization")
	}
}

// TestReportXLSX compares the cells of every sheet with a golden text dump.
func TestReportXLSX(t *testing.T) {
	out := filepath.Join(t.TempDir(), "acme.xlsx")
	r := run(t, "", "report", acme, "--format", "xlsx", "--as-of", asOf, "-o", out).wantCode(t, 0)
	if r.stdout != "" {
		t.Errorf("stdout: %s", r.stdout)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer f.Close()
	var dump bytes.Buffer
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&dump, "== %s\n", sheet)
		for _, row := range rows {
			fmt.Fprintln(&dump, strings.Join(row, "\t"))
		}
	}
	golden(t, "acme.report.xlsx.txt", dump.Bytes())
}

func TestReportPDF(t *testing.T) {
	if _, err := report.FindChromium(os.Getenv); errors.Is(err, report.ErrNoChromium) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI must print PDFs: %v", err)
		}
		t.Skip("no Chromium to print PDF with")
	}
	if testing.Short() {
		t.Skip("PDF printing starts a browser")
	}
	out := filepath.Join(t.TempDir(), "acme.pdf")
	run(t, "", "report", acme, "--format", "pdf", "--as-of", asOf, "-o", out).wantCode(t, 0)
	if data := readFile(t, out); !strings.HasPrefix(data, "%PDF-") || len(data) < 10000 {
		t.Errorf("not a PDF report: %d bytes starting %q", len(data), data[:min(len(data), 8)])
	}
}

func TestReportUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"xlsx needs -o", []string{"report", acme, "--format", "xlsx"}, "csmm: report: --format xlsx needs -o FILE"},
		{"pdf needs -o", []string{"report", acme, "--format", "pdf"}, "csmm: report: --format pdf needs -o FILE"},
		{"unknown format", []string{"report", acme, "--format", "docx"}, `"docx" is not one of html, md, json, csv, xlsx, pdf`},
		{"no file", []string{"report"}, "csmm: report: missing argument; expected FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := run(t, "", tt.args...).wantCode(t, 2)
			if !strings.Contains(r.stderr, tt.stderr) {
				t.Errorf("stderr: %s", r.stderr)
			}
		})
	}
}
