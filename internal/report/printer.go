package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/chromedp/chromedp"
)

// Printer prints HTML reports to PDF with one headless Chromium that it
// starts on the first print and keeps running, so that a PDF costs a new
// tab instead of a browser start. The browser's path is looked up on every
// print (a cheap check): when it is no longer installed the print fails
// with ErrNoChromium, and when it moved the browser is started again from
// its new path. At most MaxTabs reports print at once;
// the others wait their turn (or until their context ends). When the
// browser dies it is started again on the next print, and a print that
// lost its browser midway is tried once more in the new one. Close stops
// the browser. A Printer is safe for concurrent use; a server keeps one for
// its lifetime.
type Printer struct {
	chromium string
	slots    chan struct{}

	mu      sync.Mutex
	closed  bool
	browser context.Context // the browser's first tab; done when the browser is gone
	stop    func()          // stops the browser and frees its allocator
	running string          // the path the browser runs from
	starts  int
}

// PrinterOptions configure a Printer.
type PrinterOptions struct {
	// Chromium is the browser's path; "" looks for it with FindChromium
	// when the browser starts.
	Chromium string
	// MaxTabs is how many reports print at once; 0 means 2.
	MaxTabs int
}

// browserStartTimeout bounds how long a browser may take to start.
const browserStartTimeout = 30 * time.Second

// errPrinterClosed is returned by Print after Close.
var errPrinterClosed = errors.New("the pdf printer is closed")

// NewPrinter returns a printer; no browser runs until the first Print.
func NewPrinter(o PrinterOptions) *Printer {
	if o.MaxTabs <= 0 {
		o.MaxTabs = 2
	}
	return &Printer{chromium: o.Chromium, slots: make(chan struct{}, o.MaxTabs)}
}

// Print prints an HTML report (from WriteHTML) to PDF in a new tab of the
// printer's browser, as WritePDF does, and writes it to w. ctx bounds the
// wait for a free tab and the printing; without a deadline, printing stops
// after two minutes. It returns an error wrapping ErrNoChromium when the
// browser is missing.
func (p *Printer) Print(ctx context.Context, w io.Writer, html []byte) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, pdfTimeout)
		defer cancel()
	}
	select {
	case p.slots <- struct{}{}:
		defer func() { <-p.slots }()
	case <-ctx.Done():
		return fmt.Errorf("write pdf report: wait for a free tab: %w", ctx.Err())
	}
	for attempt := 1; ; attempt++ {
		browser, path, err := p.start(ctx)
		if err != nil {
			return fmt.Errorf("write pdf report: %w", err)
		}
		pdf, err := printTab(ctx, browser, html)
		if err != nil {
			if ctx.Err() == nil && attempt == 1 {
				// The browser may have died under this print before its
				// context noticed: drop it and print once more in a new one.
				p.discard(browser)
				continue
			}
			return fmt.Errorf("write pdf report: chromium %s: %w", path, err)
		}
		if _, err := w.Write(pdf); err != nil {
			return fmt.Errorf("write pdf report: %w", err)
		}
		return nil
	}
}

// printTab prints in a new tab of the browser. The tab is closed when ctx
// ends, or else after the print in the background: closing waits until the
// browser no longer lists the tab, which the PDF need not wait for.
func printTab(ctx context.Context, browser context.Context, html []byte) ([]byte, error) {
	tab, closeTab := chromedp.NewContext(browser)
	stop := context.AfterFunc(ctx, closeTab)
	defer func() {
		if stop() {
			go closeTab()
		}
	}()
	pdf, err := chromedp.Run(tab, printHTML(html))
	if err != nil && ctx.Err() != nil {
		return nil, fmt.Errorf("%w (%w)", ctx.Err(), err)
	}
	return pdf, err
}

// discard stops the given browser if it is still the printer's, so that the
// next start launches a new one.
func (p *Printer) discard(browser context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.browser == browser && p.stop != nil {
		p.stop()
		p.browser, p.stop = nil, nil
	}
}

// start returns the running browser, starting one when there is none or
// the last one died, and the path it runs from.
func (p *Printer) start(ctx context.Context) (context.Context, string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, "", errPrinterClosed
	}
	path := p.chromium
	if path == "" {
		var err error
		if path, err = FindChromium(os.Getenv); err != nil {
			return nil, "", err
		}
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() {
		if err == nil {
			err = errors.New("is a directory")
		}
		return nil, "", fmt.Errorf("chromium %s: %w: %w", path, err, ErrNoChromium)
	}
	if p.browser != nil && p.browser.Err() == nil && p.running == path {
		return p.browser, path, nil
	}
	if p.stop != nil {
		p.stop() // the browser died or moved: free what is left of it
		p.browser, p.stop = nil, nil
	}
	// The browser outlives the request that starts it, so its context does
	// not derive from ctx; ctx and a timeout only bound the start.
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocatorOptions(path)...)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	stop := sync.OnceFunc(func() {
		cancelBrowser()
		cancelAlloc()
	})
	startCtx, cancelStart := context.WithTimeout(ctx, browserStartTimeout)
	defer cancelStart()
	abort := context.AfterFunc(startCtx, stop)
	err := chromedp.Do(browser)
	if !abort() || err != nil {
		stop()
		if err == nil || startCtx.Err() != nil {
			err = fmt.Errorf("start chromium %s: %w", path, startCtx.Err())
		} else {
			err = fmt.Errorf("start chromium %s: %w", path, err)
		}
		return nil, "", err
	}
	p.browser, p.stop, p.running = browser, stop, path
	p.starts++
	return browser, path, nil
}

// Close stops the browser: it asks it to close, waits up to ten seconds,
// then kills it. A Print after Close fails, and so do prints in progress:
// close a server's printer after its last request.
func (p *Printer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	if p.stop == nil {
		return nil
	}
	browser, stop := p.browser, p.stop
	p.browser, p.stop = nil, nil
	done := make(chan error, 1)
	go func() { done <- chromedp.Cancel(browser) }()
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		err = errors.New("chromium did not close within 10 seconds")
	}
	stop()
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("close chromium: %w", err)
	}
	return nil
}
