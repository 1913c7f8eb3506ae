package report

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/lazy"
	"github.com/csmm/csmm/internal/model"
)

// The charts are inline SVG drawn here, so the HTML report needs no script
// and no external resource. Every text in a chart is escaped: model names
// and scope names are data that a user may supply.

// Colours of the charts.
const (
	colorCurrent = "#1f4e79"
	colorTarget  = "#c0392b"
	colorGrid    = "#d5d8dc"
	colorText    = "#2c3e50"
	colorMuted   = "#7f8c8d"
)

// scopeColors tells scopes apart in the comparison chart.
var scopeColors = [...]string{"#1f4e79", "#2e86c1", "#85c1e9", "#a04000", "#7d3c98", "#117a65", "#b7950b", "#566573"}

// heatColors are the fill of each heatmap state.
var heatColors = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		CellMet:      "#27ae60",
		CellPartial:  "#f5b041",
		CellNotMet:   "#e6b0aa",
		CellExcluded: "#e5e7e9",
	}
}}

// svg builds one chart.
type svg struct{ b strings.Builder }

func newSVG(w, h int, label string) *svg {
	s := &svg{}
	fmt.Fprintf(&s.b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" font-family="Helvetica, Arial, sans-serif">`, w, h, esc(label))
	fmt.Fprintf(&s.b, `<title>%s</title>`, esc(label))
	return s
}

func (s *svg) raw(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }

func (s *svg) text(x, y float64, anchor string, size float64, fill, weight, t string) {
	fmt.Fprintf(&s.b, `<text x="%.1f" y="%.1f" text-anchor="%s" font-size="%.1f" fill="%s" font-weight="%s">%s</text>`, x, y, anchor, size, fill, weight, esc(t))
}

func (s *svg) html() template.HTML {
	s.b.WriteString(`</svg>`)
	// The builder escapes every piece of text it writes.
	return template.HTML(s.b.String()) //nolint:gosec // built from escaped parts
}

func esc(s string) string { return html.EscapeString(s) }

// maxScore is the top of every chart's scale.
const maxScore = float64(model.MaxLevel)

// RadarSVG draws every category's score on a radar, with the target levels
// as a dashed outline (when every category has a target) and markers.
func (r *Report) RadarSVG() template.HTML {
	const w, h, cx, cy, radius = 560.0, 500.0, 280.0, 245.0, 175.0
	s := newSVG(int(w), int(h), "Radar of category scores against target levels")
	n := len(r.Categories)
	if n == 0 {
		return s.html()
	}
	angle := func(i int) float64 { return -math.Pi/2 + 2*math.Pi*float64(i)/float64(n) }
	point := func(i int, v float64) (float64, float64) {
		a := angle(i)
		return cx + radius*v/maxScore*math.Cos(a), cy + radius*v/maxScore*math.Sin(a)
	}
	polygon := func(vals []float64) string {
		pts := make([]string, len(vals))
		for i, v := range vals {
			x, y := point(i, v)
			pts[i] = fmt.Sprintf("%.1f,%.1f", x, y)
		}
		return strings.Join(pts, " ")
	}
	ring := make([]float64, n)
	for l := 1; l <= model.MaxLevel; l++ {
		for i := range ring {
			ring[i] = float64(l)
		}
		s.raw(`<polygon points="%s" fill="none" stroke="%s" stroke-width="1"/>`, polygon(ring), colorGrid)
		_, y := point(0, float64(l))
		s.text(cx+4, y+11, "start", 10, colorMuted, "normal", fmt.Sprint(l))
	}
	for i, c := range r.Categories {
		x, y := point(i, maxScore)
		s.raw(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, cx, cy, x, y, colorGrid)
		lx, ly := point(i, maxScore+0.55)
		anchor := "middle"
		if dx := lx - cx; dx > 8 {
			anchor = "start"
		} else if dx < -8 {
			anchor = "end"
		}
		s.text(lx, ly+4, anchor, 12, colorText, "bold", c.ID)
	}

	scores := make([]float64, n)
	targets := make([]float64, n)
	allTargets := true
	for i, c := range r.Categories {
		scores[i] = assess.Truncate(c.Score)
		if c.Target == nil {
			allTargets = false
			continue
		}
		targets[i] = float64(*c.Target)
	}
	if allTargets {
		s.raw(`<polygon points="%s" fill="none" stroke="%s" stroke-width="2" stroke-dasharray="6 4"/>`, polygon(targets), colorTarget)
	}
	s.raw(`<polygon points="%s" fill="%s" fill-opacity="0.25" stroke="%s" stroke-width="2.5"/>`, polygon(scores), colorCurrent, colorCurrent)
	for i, c := range r.Categories {
		x, y := point(i, scores[i])
		s.raw(`<circle cx="%.1f" cy="%.1f" r="4" fill="%s"><title>%s</title></circle>`, x, y, colorCurrent,
			esc(fmt.Sprintf("%s %s: score %s, level %d", c.ID, c.Name, c.Display, c.Level)))
		if c.Target != nil {
			tx, ty := point(i, targets[i])
			s.raw(`<rect x="%.1f" y="%.1f" width="8" height="8" transform="rotate(45 %.1f %.1f)" fill="%s"><title>%s</title></rect>`,
				tx-4, ty-4, tx, ty, colorTarget, esc(fmt.Sprintf("%s %s: target level %d", c.ID, c.Name, *c.Target)))
		}
	}
	ly := h - 14
	s.raw(`<rect x="150" y="%.1f" width="14" height="10" fill="%s" fill-opacity="0.5" stroke="%s"/>`, ly-9, colorCurrent, colorCurrent)
	s.text(170, ly, "start", 12, colorText, "normal", "Current score")
	s.raw(`<rect x="300" y="%.1f" width="8" height="8" transform="rotate(45 304 %.1f)" fill="%s"/>`, ly-8, ly-4, colorTarget)
	s.text(316, ly, "start", 12, colorText, "normal", "Target level")
	return s.html()
}

// DomainBarsSVG draws, per domain, a bar for the domain's score and a thin
// bar for each of its categories, with the category's target as a tick.
func (r *Report) DomainBarsSVG() template.HTML {
	const w, left, right, rowDomain, rowCat, top = 640.0, 210.0, 50.0, 26.0, 18.0, 24.0
	rows := 0.0
	for _, d := range r.Domains {
		rows += rowDomain + rowCat*float64(len(d.Categories)) + 8
	}
	h := top + rows + 34
	s := newSVG(int(w), int(h), "Scores by domain and category")
	scale := (w - left - right) / maxScore
	for l := 0; l <= model.MaxLevel; l++ {
		x := left + scale*float64(l)
		s.raw(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, x, top-6, x, h-30, colorGrid)
		s.text(x, h-16, "middle", 10, colorMuted, "normal", fmt.Sprint(l))
	}
	cats := make(map[string]Category, len(r.Categories))
	for _, c := range r.Categories {
		cats[c.ID] = c
	}
	y := top
	for _, d := range r.Domains {
		s.text(left-8, y+16, "end", 13, colorText, "bold", d.Name)
		s.raw(`<rect x="%.1f" y="%.1f" width="%.1f" height="18" fill="%s"><title>%s</title></rect>`, left, y+3,
			scale*assess.Truncate(d.Score), colorCurrent, esc(fmt.Sprintf("%s: %s", d.Name, d.Display)))
		s.text(left+scale*assess.Truncate(d.Score)+5, y+16, "start", 12, colorText, "bold", d.Display)
		y += rowDomain
		for _, id := range d.Categories {
			c, ok := cats[id]
			if !ok {
				continue
			}
			s.text(left-8, y+12, "end", 11, colorText, "normal", fmt.Sprintf("%s (%s)", c.Name, c.ID))
			s.raw(`<rect x="%.1f" y="%.1f" width="%.1f" height="10" fill="#85c1e9"><title>%s</title></rect>`, left, y+3,
				scale*assess.Truncate(c.Score), esc(fmt.Sprintf("%s: %s", c.Name, c.Display)))
			s.text(left+scale*assess.Truncate(c.Score)+5, y+12, "start", 10, colorText, "normal", c.Display)
			if c.Target != nil {
				tx := left + scale*float64(*c.Target)
				s.raw(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2.5"><title>%s</title></line>`,
					tx, y, tx, y+16, colorTarget, esc(fmt.Sprintf("%s: target level %d", c.Name, *c.Target)))
			}
			y += rowCat
		}
		y += 8
	}
	s.raw(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2.5"/>`, left, h-4, left, h-14, colorTarget)
	s.text(left+6, h-4, "start", 10, colorText, "normal", "Target level")
	return s.html()
}

// HeatmapSVG draws the categories by level: each level met, partly met, not
// met or not applicable, with the level that blocks each category outlined.
func (r *Report) HeatmapSVG() template.HTML {
	levels := model.MaxLevel - model.MinLevel
	const left, top, cellW, cellH = 240.0, 60.0, 108.0, 24.0
	w := left + cellW*float64(levels) + 10
	h := top + cellH*float64(len(r.Categories)) + 44
	s := newSVG(int(w), int(h), "Heatmap of categories by level")
	for i := range levels {
		l := model.MinLevel + 1 + i
		x := left + cellW*float64(i) + cellW/2
		s.text(x, 16, "middle", 12, colorText, "bold", fmt.Sprintf("Level %d", l))
		for li, line := range wrap(r.levelName(l), 18, 2) {
			s.text(x, 31+12*float64(li), "middle", 10, colorMuted, "normal", line)
		}
	}
	for ri, c := range r.Categories {
		y := top + cellH*float64(ri)
		s.text(left-8, y+cellH/2+4, "end", 11, colorText, "normal", fmt.Sprintf("%s (%s)", c.Name, c.ID))
		for i, cell := range c.Cells {
			x := left + cellW*float64(i)
			stroke, sw := "#ffffff", 2.0
			if cell.Level == c.NextLevel {
				stroke, sw = colorText, 2.5
			}
			s.raw(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" stroke="%s" stroke-width="%.1f"><title>%s</title></rect>`,
				x+1, y+1, cellW-2, cellH-2, heatColors.Get()[cell.State], stroke, sw,
				esc(fmt.Sprintf("%s level %d: %s (%d of %d met)", c.ID, cell.Level, cell.Label(), cell.Met, cell.Applicable)))
			label := fmt.Sprintf("%d/%d", cell.Met, cell.Applicable)
			if cell.State == CellExcluded {
				label = "n/a"
			}
			s.text(x+cellW/2, y+cellH/2+4, "middle", 10, colorText, "normal", label)
		}
	}
	ly := h - 14
	x := 10.0
	for _, st := range []string{CellMet, CellPartial, CellNotMet, CellExcluded} {
		s.raw(`<rect x="%.1f" y="%.1f" width="14" height="12" fill="%s"/>`, x, ly-10, heatColors.Get()[st])
		label := LevelCell{State: st}.Label()
		s.text(x+18, ly, "start", 11, colorText, "normal", label)
		x += 30 + 6.5*float64(len(label))
	}
	s.raw(`<rect x="%.1f" y="%.1f" width="14" height="12" fill="none" stroke="%s" stroke-width="2"/>`, x, ly-10, colorText)
	s.text(x+18, ly, "start", 11, colorText, "normal", "blocks the next level")
	return s.html()
}

func (r *Report) levelName(l int) string {
	for _, lv := range r.Levels {
		if lv.Level == l {
			return lv.Name
		}
	}
	return fmt.Sprintf("Level %d", l)
}

// ScopeChartSVG compares the scopes: for each category, one bar per scope.
func (r *Report) ScopeChartSVG() template.HTML {
	ns := max(1, len(r.Scopes))
	const w, left, top, plotH = 660.0, 36.0, 16.0, 220.0
	groupW := (w - left - 10) / float64(max(1, len(r.Categories)))
	gap := math.Max(4, groupW*0.25)
	barW := math.Min(18, (groupW-gap)/float64(ns))
	legendRows := (len(r.Scopes) + 3) / 4
	h := top + plotH + 40 + 20*float64(legendRows)
	s := newSVG(int(w), int(h), "Category scores by scope")
	base := top + plotH
	for l := 0; l <= model.MaxLevel; l++ {
		y := base - plotH*float64(l)/maxScore
		s.raw(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1"/>`, left, y, w-4, y, colorGrid)
		s.text(left-6, y+4, "end", 10, colorMuted, "normal", fmt.Sprint(l))
	}
	for ci, c := range r.Categories {
		gx := left + groupW*float64(ci) + (groupW-barW*float64(ns))/2
		for si, sc := range r.Scopes {
			if ci >= len(sc.Categories) {
				continue
			}
			v := assess.Truncate(sc.Categories[ci].Score)
			bh := plotH * v / maxScore
			s.raw(`<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
				gx+barW*float64(si), base-bh, barW-1, bh, scopeColors[si%len(scopeColors)],
				esc(fmt.Sprintf("%s, %s: %s", c.ID, sc.Name, sc.Categories[ci].Display)))
		}
		s.text(gx+barW*float64(ns)/2, base+16, "middle", 11, colorText, "bold", c.ID)
	}
	for si, sc := range r.Scopes {
		x := left + 150*float64(si%4)
		y := base + 36 + 20*float64(si/4)
		s.raw(`<rect x="%.1f" y="%.1f" width="14" height="12" fill="%s"/>`, x, y-10, scopeColors[si%len(scopeColors)])
		name := sc.Name
		if len([]rune(name)) > 20 {
			name = string([]rune(name)[:19]) + "…"
		}
		s.text(x+18, y, "start", 11, colorText, "normal", name)
	}
	return s.html()
}

// wrap splits text into at most n lines of about width characters, on
// spaces; the last line ends with an ellipsis when text is cut.
func wrap(text string, width, n int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len([]rune(line))+1+len([]rune(word)) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] += "…"
	}
	return lines
}
