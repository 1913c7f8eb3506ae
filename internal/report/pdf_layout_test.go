package report

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/history"
)

// requirePdftotext returns the path of pdftotext (poppler-utils); it skips
// the test without it, except under CI=true, where it fails.
func requirePdftotext(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and pdftotext (poppler-utils) is missing: %v", err)
		}
		t.Skipf("skipping: pdftotext (poppler-utils) is missing: %v", err)
	}
	return p
}

// PDFPages prints the report to PDF and returns the text of each page, as
// pdftotext -layout extracts it.
func pdfPages(t *testing.T, r *Report) []string {
	t.Helper()
	requireChromium(t)
	pdftotext := requirePdftotext(t)
	html, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var buf bytes.Buffer
	if err := WritePDF(ctx, &buf, html); err != nil {
		t.Fatalf("WritePDF: %v", err)
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, pdftotext, "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return strings.Split(strings.TrimRight(string(out), "\f\n"), "\f")
}

// bodyLines are a page's non-empty lines without the footer (the last
// line: the assessment's name and the page number).
func bodyLines(page string) []string {
	var out []string
	for _, l := range strings.Split(page, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, strings.TrimSpace(l))
		}
	}
	if len(out) > 0 && strings.Contains(out[len(out)-1], "Page ") {
		out = out[:len(out)-1]
	}
	return out
}

// headingLine matches the lines that are headings of the report: a heading
// must never be the last line of a page.
var headingLine = regexp.MustCompile(`^(How the score is computed|Answer scale|Maturity levels|Categories|Where the program stands|Why each category has its level|Where each category stands on its ladder|Trend|Roadmap|Overdue \(\d+\)|Phase \d+: .*|Projected scores|Investment|Contradictions|Stale evidence|Exceptions|Scopes|CSA Cloud Controls Matrix crosswalk)$`)

// TestPDFLayout prints the report of a fully answered built-in assessment
// with roadmap work and a trend, and checks the printed pages: page 1 is
// the executive summary, whole, and page 2 starts the next section; every
// page's footer names the assessment and numbers the page; no page but the
// last is nearly empty; no page ends with a heading.
func TestPDFLayout(t *testing.T) {
	r := builtinReport(t)
	ids := roadmapIDs(r)
	r.SetWork([]WorkItem{
		{Objective: ids[0][0], Owner: "Ana Ops", Due: r.AsOf.AddDays(-5), Status: WorkInProgress, Ticket: "https://tracker.example/SEC-1"},
		{Objective: ids[0][1], Owner: "Ben Build", Due: r.AsOf.AddDays(20), Status: WorkDone},
	})
	first, second := 1.9, 2.2
	r.Trend = BuildTrend(builtinModel(t), &history.Trend{Points: []history.TrendPoint{
		{AsOf: assess.Date{Year: 2026, Month: 1, Day: 15}, Scores: []history.ScoreRow{{Kind: history.KindProgram, Score: &first}}},
		{AsOf: assess.Date{Year: 2026, Month: 6, Day: 30}, Scores: []history.ScoreRow{{Kind: history.KindProgram, Score: &second}}},
	}}, nil)
	s := r.ExecutiveSummary()
	pages := pdfPages(t, r)
	if len(pages) < 3 {
		t.Fatalf("the PDF has %d pages, want several", len(pages))
	}

	one := strings.Join(bodyLines(pages[0]), "\n")
	for _, want := range []string{
		"Executive summary", "Scores against targets", "At target", "Largest gaps", s.Gaps[0].Name, s.Gaps[2].Name,
		"Next phase", fmt.Sprintf("Phase 1 of %d: %d objectives", s.Phases, s.NextPhase.Count), s.NextPhase.Effort.WeeksText() + " person-weeks",
		"1 roadmap objective overdue", "Trend", "2026-01-15", "since the first snapshot",
		// The last line of the summary: the summary is whole on page 1.
		"the remaining applicable objectives", // completeness note
	} {
		if !strings.Contains(strings.Join(strings.Fields(one), " "), want) {
			t.Errorf("page 1 lacks %q:\n%s", want, one)
		}
	}
	if two := bodyLines(pages[1]); len(two) == 0 || two[0] != "How the score is computed" {
		t.Errorf("page 2 starts with %q, want the next section, How the score is computed", two)
	}
	if strings.Contains(one, "How the score is computed") {
		t.Errorf("page 1 holds the start of the next section")
	}

	for i, p := range pages {
		if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q in its footer", i+1, want)
		}
		if !strings.Contains(p, r.Assessment) {
			t.Errorf("page %d lacks the assessment's name in its footer", i+1)
		}
		lines := bodyLines(p)
		if i < len(pages)-1 && len(lines) < 8 {
			t.Errorf("page %d is nearly empty, %d lines: %q", i+1, len(lines), lines)
		}
		if i < len(pages)-1 && len(lines) > 0 && headingLine.MatchString(lines[len(lines)-1]) {
			t.Errorf("page %d ends with the heading %q", i+1, lines[len(lines)-1])
		}
	}
}
