package report

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// printerProcess returns the process of the printer's running browser.
func printerProcess(t *testing.T, p *Printer) (pid int, kill func() error) {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.browser == nil {
		t.Fatal("no browser is running")
	}
	proc := chromedp.FromContext(p.browser).Browser.Process()
	return proc.Pid, proc.Kill
}

func TestPrinter(t *testing.T) {
	requireChromium(t)
	html, err := fixture(t, fixtureOptions{organization: "Zephyr Holdings"}).HTML()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p := NewPrinter(PrinterOptions{MaxTabs: 2})
	defer p.Close()
	print := func(t *testing.T) {
		t.Helper()
		var buf bytes.Buffer
		if err := p.Print(ctx, &buf, html); err != nil {
			t.Fatalf("Print: %v", err)
		}
		if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) || buf.Len() < 1000 {
			t.Fatalf("output is not a PDF: %d bytes starting %q", buf.Len(), buf.Bytes()[:min(16, buf.Len())])
		}
	}

	t.Run("one browser for concurrent prints", func(t *testing.T) {
		var wg sync.WaitGroup
		for range 5 {
			wg.Go(func() { print(t) })
		}
		wg.Wait()
		if p.starts != 1 {
			t.Errorf("the browser started %d times for 5 prints, want once", p.starts)
		}
	})

	t.Run("restarted when it dies", func(t *testing.T) {
		pid, kill := printerProcess(t, p)
		if err := kill(); err != nil {
			t.Fatal(err)
		}
		print(t)
		if p.starts != 2 {
			t.Errorf("the browser started %d times, want 2", p.starts)
		}
		if again, _ := printerProcess(t, p); again == pid {
			t.Errorf("still the killed browser %d", pid)
		}
	})

	t.Run("a canceled print leaves the browser working", func(t *testing.T) {
		short, cancel := context.WithTimeout(ctx, time.Millisecond)
		defer cancel()
		err := p.Print(short, &bytes.Buffer{}, html)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Print with an expired context: %v, want a deadline error", err)
		}
		print(t)
		if p.starts != 2 {
			t.Errorf("the browser started %d times, want still 2", p.starts)
		}
	})

	t.Run("closed", func(t *testing.T) {
		_, kill := printerProcess(t, p)
		if err := p.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if err := p.Print(ctx, &bytes.Buffer{}, html); !errors.Is(err, errPrinterClosed) {
			t.Errorf("Print after Close: %v, want %v", err, errPrinterClosed)
		}
		// The browser is gone: signalling it fails.
		time.Sleep(100 * time.Millisecond)
		if err := kill(); err == nil {
			t.Error("the browser still runs after Close")
		}
	})
}

func TestPrinterWithoutChromium(t *testing.T) {
	p := NewPrinter(PrinterOptions{Chromium: "/nonexistent/chromium"})
	defer p.Close()
	err := p.Print(context.Background(), &bytes.Buffer{}, []byte("<p>x</p>"))
	if !errors.Is(err, ErrNoChromium) {
		t.Fatalf("Print: %v, want an error wrapping ErrNoChromium", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("Close of a printer that never started: %v", err)
	}
}

func TestPrinterWaitsForATab(t *testing.T) {
	p := NewPrinter(PrinterOptions{MaxTabs: 1})
	p.slots <- struct{}{} // the only tab is busy
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	err := p.Print(ctx, &bytes.Buffer{}, []byte("<p>x</p>"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Print while every tab is busy: %v, want a deadline error", err)
	}
}
