package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// ErrNoChromium is returned by WritePDF and FindChromium when no Chromium
// browser is installed.
var ErrNoChromium = errors.New(`chromium is needed to write PDF reports and was not found; install it with "apt-get install chromium" (or your system's package), or set CSMM_CHROMIUM to the browser's path`)

// chromiumNames are the executables looked up in PATH, in order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"}

// FindChromium returns the path of the browser WritePDF runs: the path in
// CSMM_CHROMIUM when set, else /usr/bin/chromium, else the first Chromium or
// Chrome in PATH. getenv reads the environment (os.Getenv in production).
func FindChromium(getenv func(string) string) (string, error) {
	if p := getenv("CSMM_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CSMM_CHROMIUM=%s: %w: %w", p, err, ErrNoChromium)
		}
		return p, nil
	}
	if st, err := os.Stat("/usr/bin/chromium"); err == nil && !st.IsDir() {
		return "/usr/bin/chromium", nil
	}
	for _, name := range chromiumNames {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// pdfTimeout bounds a PDF rendering when the caller's context has no deadline.
const pdfTimeout = 2 * time.Minute

// WritePDF prints an HTML report (from WriteHTML) to PDF with headless
// Chromium, backgrounds included, on the page size of the report's print
// stylesheet. The browser runs with a fresh temporary profile that is
// removed afterwards, without sandbox (for containers), GPU, background
// networking, component updates or sync. It returns an error wrapping
// ErrNoChromium when the browser is missing.
func WritePDF(ctx context.Context, w io.Writer, html []byte) error {
	browser, err := FindChromium(os.Getenv)
	if err != nil {
		return fmt.Errorf("write pdf report: %w", err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, pdfTimeout)
		defer cancel()
	}
	profile, err := os.MkdirTemp("", "csmm-chromium-")
	if err != nil {
		return fmt.Errorf("write pdf report: create browser profile: %w", err)
	}
	defer os.RemoveAll(profile)

	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, append(allocatorOptions(browser), chromedp.UserDataDir(profile))...)
	defer cancelAlloc()
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	defer cancelBrowser()

	pdf, err := chromedp.Run(browserCtx, printHTML(html))
	if err != nil {
		return fmt.Errorf("write pdf report: chromium %s: %w", browser, err)
	}
	if _, err := w.Write(pdf); err != nil {
		return fmt.Errorf("write pdf report: %w", err)
	}
	return nil
}

// allocatorOptions are the flags of the headless browser that prints: no
// sandbox (for containers), GPU, background networking, component updates,
// sync or extensions.
func allocatorOptions(browser string) []chromedp.ExecAllocatorOption {
	return []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
	}
}

// pdfHeader is empty: Chromium's default header would print the date and
// title at the top of every page.
const pdfHeader = `<span></span>`

// pdfFooter prints the document's title (the assessment and organization)
// and the page number on every page, in the bottom margin of the print
// stylesheet. Chromium fills the spans with the classes title, pageNumber
// and totalPages.
const pdfFooter = `<div style="font-family: system-ui, sans-serif; font-size: 9px; color: #4a5561; width: 100%; margin: 0 14mm; display: flex; justify-content: space-between;">` +
	`<span class="title"></span><span>Page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`

// printHTML loads an HTML document into a blank tab and prints it,
// backgrounds included, on the page size of its print stylesheet.
func printHTML(html []byte) chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		if _, err := chromedp.Navigate("about:blank")(ctx, t); err != nil {
			return nil, fmt.Errorf("open blank page: %w", err)
		}
		tree, err := cdp.Call(ctx, t, page.GetFrameTree, cdp.Empty{})
		if err != nil {
			return nil, fmt.Errorf("get frame: %w", err)
		}
		if _, err := cdp.Call(ctx, t, page.SetDocumentContent, page.SetDocumentContentParams{
			FrameID: tree.FrameTree.Frame.ID, HTML: string(html),
		}); err != nil {
			return nil, fmt.Errorf("load report: %w", err)
		}
		yes := true
		res, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{
			PrintBackground:     &yes,
			PreferCSSPageSize:   &yes,
			DisplayHeaderFooter: &yes,
			HeaderTemplate:      pdfHeader,
			FooterTemplate:      pdfFooter,
		})
		if err != nil {
			return nil, fmt.Errorf("print: %w", err)
		}
		return res.Data, nil
	}
}
