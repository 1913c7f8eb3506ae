package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/chromedp/chromedp"
)

// The helpers below turn value-returning chromedp actions into steps that
// store their value, so that one run lists a whole step of the journey.

type step = chromedp.Action[chromedp.Void]

func css(sel string) chromedp.CSS { return chromedp.CSS(sel) }

func keep[T any](a chromedp.Action[T], dst *T) step {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := a(ctx, t)
		*dst = v
		return chromedp.Void{}, err
	}
}

func textOf(sel string, dst *string) step { return keep(chromedp.Text(css(sel)), dst) }

func locationOf(dst *string) step { return keep(chromedp.Location(), dst) }

func attrOf(sel, name string, dst *string) step {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		v, err := chromedp.AttributeValue(css(sel), name)(ctx, t)
		*dst = v.Value
		return chromedp.Void{}, err
	}
}

func evalInto(expr string, dst *string) step {
	return keep(chromedp.Evaluate[string](expr, chromedp.EvalAwaitPromise), dst)
}

// poll waits until a JavaScript expression is true, through page loads:
// an evaluation interrupted by a navigation is tried again.
func poll(expr string) step {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		deadline := time.Now().Add(20 * time.Second)
		var last error
		for time.Now().Before(deadline) {
			ok, err := chromedp.Evaluate[bool](expr)(ctx, t)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			last = err
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
		return chromedp.Void{}, fmt.Errorf("waited 20s for %s (last error: %v)", expr, last)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// clickJS clicks an element through the DOM, as a person's click does,
// without depending on where the element is drawn while styles load.
func clickJS(sel string) step {
	var ok bool
	return keep(chromedp.Evaluate[bool](`(function(){var e=document.querySelector(`+strconvQuote(sel)+`);if(!e){throw new Error("no element "+`+strconvQuote(sel)+`)}setTimeout(function(){e.click()},0);return true})()`), &ok)
}

func strconvQuote(s string) string { return strconv.Quote(s) }

// setJS sets a form control's value and fires its input and change events.
func setJS(sel, value string) step {
	var ok bool
	return keep(chromedp.Evaluate[bool](`(function(){var e=document.querySelector(`+strconvQuote(sel)+`);if(!e){throw new Error("no element "+`+strconvQuote(sel)+`)}e.value=`+strconvQuote(value)+`;e.dispatchEvent(new Event("input",{bubbles:true}));e.dispatchEvent(new Event("change",{bubbles:true}));return true})()`), &ok)
}

// textJS reads an element's text content in the page's own script: unlike
// textOf it holds no node ID across a navigation that replaced the
// document, and it gives "" when the element is missing.
func textJS(sel string, dst *string) step {
	return evalInto(`(document.querySelector(`+strconvQuote(sel)+`)||{textContent:""}).textContent`, dst)
}
