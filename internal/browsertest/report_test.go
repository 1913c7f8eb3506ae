package browsertest

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// chartFontsJS returns, for each chart of the page, the smallest font size
// of its text as displayed (the SVG's font size scaled by its drawn width
// over its viewBox width), and the widest element against the viewport.
const chartFontsJS = `(function(){
var out={charts:[],viewport:document.documentElement.clientWidth,widest:0,widestEl:""};
document.querySelectorAll("svg[viewBox]").forEach(function(svg){
  var vb=svg.viewBox.baseVal, scale=svg.getBoundingClientRect().width/vb.width, min=1e9;
  svg.querySelectorAll("text").forEach(function(t){var s=parseFloat(getComputedStyle(t).fontSize)*scale; if(s<min){min=s}});
  out.charts.push({label:svg.getAttribute("aria-label"),min:Math.round(min*10)/10,width:Math.round(svg.getBoundingClientRect().width)});
});
document.querySelectorAll("main *").forEach(function(e){
  for(var p=e.parentElement;p&&p.tagName!=="MAIN";p=p.parentElement){var o=getComputedStyle(p).overflowX;if(o==="auto"||o==="scroll"||o==="hidden"){return}}
  var r=e.getBoundingClientRect(); if(r.right>out.widest){out.widest=Math.round(r.right);out.widestEl=e.tagName+"."+e.className}
});
return JSON.stringify(out);
})()`

type chartFonts struct {
	Charts []struct {
		Label string  `json:"label"`
		Min   float64 `json:"min"`
		Width int     `json:"width"`
	} `json:"charts"`
	Viewport int    `json:"viewport"`
	Widest   int    `json:"widest"`
	WidestEl string `json:"widestEl"`
}

// TestReportChartsReadable checks that no chart text of the report page
// is drawn under 11 px, on a laptop (1366 px) and on a phone (390 px), and
// that on the phone nothing is wider than the viewport (wide content
// scrolls inside its own box).
func TestReportChartsReadable(t *testing.T) {
	a := newApp(t)
	path := a.newAssessment("Charts", "production", "development")
	for _, width := range []int64{1366, 390} {
		var raw string
		a.run("report",
			chromedp.EmulateViewport(width, 900),
			chromedp.Navigate(a.base+path+"/report"),
			chromedp.WaitVisible(css(`#charts svg`)),
			evalInto(chartFontsJS, &raw),
		)
		var got chartFonts
		if err := json.Unmarshal([]byte(raw), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Charts) < 3 {
			t.Fatalf("%d px: %d charts, want at least 3", width, len(got.Charts))
		}
		for _, c := range got.Charts {
			t.Logf("%d px: %s drawn %d px wide, smallest text %.1f px", width, c.Label, c.Width, c.Min)
			if c.Min < 11 {
				t.Errorf("%d px: %s has text of %.1f px, want at least 11", width, c.Label, c.Min)
			}
		}
		if got.Widest > got.Viewport {
			t.Errorf("%d px: %s reaches %d px, wider than the viewport (%d px)", width, got.WidestEl, got.Widest, got.Viewport)
		}
	}
}

// TestTokensPagePhone checks that the tokens page, with a token listed,
// fits a 390 px phone: no element is wider than the viewport.
func TestTokensPagePhone(t *testing.T) {
	a := newApp(t)
	path := a.newAssessment("Phone", "production")
	settings := strings.Join(strings.Split(path, "/")[:3], "/") + "/settings/tokens"
	var raw string
	a.run("tokens",
		chromedp.Navigate(a.base+settings),
		chromedp.WaitVisible(css(`#token-name`)),
		chromedp.SendKeys(css(`#token-name`), "a rather long token name for the phone layout check"),
		clickJS(`main form button[type="submit"]`),
		chromedp.WaitVisible(css(`#token-secret`)),
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(a.base+settings),
		chromedp.WaitVisible(css(`#token-name`)),
		evalInto(chartFontsJS, &raw),
	)
	var got chartFonts
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatal(err)
	}
	if got.Widest > got.Viewport {
		t.Errorf("%s reaches %d px, wider than the viewport (%d px)", got.WidestEl, got.Widest, got.Viewport)
	}
}
