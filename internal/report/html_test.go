package report

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/jba/templatecheck"

	"github.com/csmm/csmm/internal/assess"
)

const xss = `<script>alert(1)</script>`

func renderHTML(t testing.TB, r *Report) *goquery.Document {
	t.Helper()
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatalf("WriteHTML: %v", err)
	}
	doc, err := goquery.NewDocumentFromReader(&buf)
	if err != nil {
		t.Fatalf("parse html: %v", err)
	}
	return doc
}

// TestHTMLTemplateTypes type-checks the template against the Report type.
func TestHTMLTemplateTypes(t *testing.T) {
	if err := templatecheck.CheckHTML(htmlTemplate(), Report{}); err != nil {
		t.Fatal(err)
	}
}

func TestHTMLCharts(t *testing.T) {
	r := fixture(t, fixtureOptions{})
	doc := renderHTML(t, r)
	tests := []struct {
		name  string
		label string
		// marks is a selector within the chart that must match want elements.
		marks string
		want  int
	}{
		{"radar has a point per category", "Radar of category scores against target levels", "circle", len(r.Categories)},
		{"domain bars", "Scores by domain and category", "rect", len(r.Domains) + len(r.Categories)},
		{"heatmap has a cell per category and level", "Heatmap of categories by level", "rect title", len(r.Categories) * 4},
		{"scope chart has a bar per category and scope", "Category scores by scope", "rect title", len(r.Categories) * len(r.Scopes)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chart := doc.Find(`svg[aria-label="` + tt.label + `"]`)
			if chart.Length() != 1 {
				t.Fatalf("found %d SVG charts labelled %q, want 1", chart.Length(), tt.label)
			}
			if got := chart.Find(tt.marks).Length(); got != tt.want {
				t.Errorf("%q: %d elements, want %d", tt.marks, got, tt.want)
			}
		})
	}
	t.Run("self-contained", func(t *testing.T) {
		if n := doc.Find("script").Length(); n != 0 {
			t.Errorf("%d script elements, want none", n)
		}
		doc.Find("[src], link[href]").Each(func(_ int, s *goquery.Selection) {
			t.Errorf("external resource: %s", goquery.NodeName(s))
		})
		if doc.Find("style").Length() == 0 || !strings.Contains(doc.Find("style").Text(), "@media print") {
			t.Error("no inline print stylesheet")
		}
	})
}

// TestHTMLEscapesUserText puts a script into every text a user writes and
// checks it comes out as text, never as an element.
func TestHTMLEscapesUserText(t *testing.T) {
	r := fixture(t, fixtureOptions{organization: xss, note: xss, justification: xss, reason: xss})
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if n := doc.Find("script").Length(); n != 0 {
		t.Fatalf("%d script elements in the report, want none", n)
	}
	if strings.Contains(out, xss) {
		t.Error("the raw script tag appears in the HTML")
	}
	tests := []struct {
		name, selector string
	}{
		{"organization in the cover", ".cover .org"},
		{"organization in the title", "title"},
		{"stale note", "#exceptions"},
		{"justification", "#exceptions"},
		{"exemption reason", "#exceptions"},
		{"footer", "footer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if text := doc.Find(tt.selector).Text(); !strings.Contains(text, xss) {
				t.Errorf("%s: the text %q is not shown as text; got %q", tt.selector, xss, text)
			}
		})
	}
	if got := strings.Count(doc.Find("#exceptions").Text(), xss); got < 4 {
		t.Errorf("the script text appears %d times in the exceptions, want at least 4 (stale note, justification, exemption reason in each scope)", got)
	}
}

// TestHTMLEscapesScopeNames checks the texts drawn inside the SVG charts.
func TestHTMLEscapesScopeNames(t *testing.T) {
	m := testModel(t)
	scopes := []assess.Scope{{ID: "prod", Name: xss, Weight: 1}}
	res := assess.Score(assess.Input{Model: m, Scopes: scopes, AsOf: date(t, "2026-11-20")})
	r := Build(m, res, Meta{Organization: "Example Corp", Assessment: xss, Scopes: scopes})
	doc := renderHTML(t, r)
	if n := doc.Find("script").Length(); n != 0 {
		t.Fatalf("%d script elements, want none", n)
	}
	legend := doc.Find(`svg[aria-label="Category scores by scope"] text`).Text()
	if !strings.Contains(legend, "<script>alert(1)") {
		t.Errorf("scope name not drawn as text in the chart legend: %q", legend)
	}
	if got := doc.Find("h1").Text(); got != xss {
		t.Errorf("h1 = %q, want the assessment name as text", got)
	}
}

func TestMarkdownEscapesUserText(t *testing.T) {
	r := fixture(t, fixtureOptions{organization: xss, justification: "a | b " + xss})
	var buf bytes.Buffer
	if err := r.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if strings.Contains(strings.ReplaceAll(out, `\<`, ""), "<") {
		t.Error("markdown contains an unescaped <")
	}
	if !strings.Contains(out, `a \| b \<script\>alert(1)\</script\>`) {
		t.Error("justification is not escaped for a table cell")
	}
}

// TestDisplayedScoresAreTruncated checks that NET, with an exact score of
// 2.96, shows as 2.9 and never as 3.0 in what people read.
func TestDisplayedScoresAreTruncated(t *testing.T) {
	r := fixture(t, fixtureOptions{})
	var net *Category
	for i := range r.Categories {
		if r.Categories[i].ID == "NET" {
			net = &r.Categories[i]
		}
	}
	if net == nil || net.Score < 2.9599 || net.Score > 2.9601 {
		t.Fatalf("fixture: NET score = %v, want 2.96", net)
	}
	doc := renderHTML(t, r)
	var row *goquery.Selection
	doc.Find("#categories tbody tr").Each(func(_ int, s *goquery.Selection) {
		if strings.Contains(s.Text(), "NET") {
			row = s
		}
	})
	if row == nil {
		t.Fatal("no NET row in the category table")
	}
	if got := strings.TrimSpace(row.Find("td.num").First().Text()); got != "2.9" {
		t.Errorf("NET score shows %q, want 2.9", got)
	}
	if got := strings.TrimSpace(row.Find("td.num").Eq(1).Text()); got != "1.1" {
		t.Errorf("NET gap shows %q, want 1.1 (target 4 minus the 2.9 shown)", got)
	}
	card := doc.Find("#levels .card").FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Find("h3").Text(), "NET")
	})
	if !strings.Contains(card.Text(), "score 2.9") || strings.Contains(card.Text(), "score 3.0") {
		t.Errorf("NET card does not show score 2.9: %q", card.Text())
	}
	var md bytes.Buffer
	if err := r.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| Network (NET) | 2 Basic | 2.9 |") {
		t.Error("markdown does not show NET at 2.9")
	}
}

func BenchmarkHTMLReport(b *testing.B) {
	r := builtinReport(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := r.WriteHTML(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBuildAndHTMLReport includes building the report from the result.
func BenchmarkBuildAndHTMLReport(b *testing.B) {
	r := builtinReport(b)
	m := builtinModel(b)
	meta := Meta{Organization: r.Organization, Assessment: r.Assessment, GeneratedAt: r.GeneratedAt}
	b.ReportAllocs()
	for b.Loop() {
		if err := Build(m, r.Result, meta).WriteHTML(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
