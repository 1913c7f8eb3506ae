package browsertest

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// tabStopsJS counts the keyboard's tab stops from the top of the page to the
// last answer control of the page (a radio group is one stop) and the
// objectives to answer: the fewest key presses to answer every objective in
// one scope by Tab and one key per answer.
const tabStopsJS = `(function(){
var els=[].slice.call(document.querySelectorAll('a[href],button,input,select,textarea,summary,[tabindex]'));
var stops=0,last=0,seen={},objs=0;
els.forEach(function(e){
  if(e.disabled||e.tabIndex<0||e.type==="hidden"||e.getClientRects().length===0){return;}
  if(e.type==="radio"){ if(seen[e.name+"@"+e.form.action]){return;} seen[e.name+"@"+e.form.action]=1; stops++; last=stops; objs++; return;}
  stops++;
});
return JSON.stringify({tabs:last,objectives:objs,height:document.documentElement.scrollHeight});
})()`

// TestAnsweringEffort writes the key presses and page height to answer the
// IAM category in one scope at 1366 px, the figures issue 10 asks for. It
// runs when CSMM_MEASURE=1 (a measurement, not a check).
func TestAnsweringEffort(t *testing.T) {
	if os.Getenv("CSMM_MEASURE") != "1" {
		t.Skip("measurement: set CSMM_MEASURE=1")
	}
	a := newApp(t)
	path := a.newAssessment("Effort", "production")
	var out string
	a.run("measure",
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(a.base+path+"/categories/IAM"),
		chromedp.WaitVisible(css(`main`)),
		evalInto(tabStopsJS, &out),
	)
	t.Logf("IAM, one scope, 1366 px: %s", out)
}
