package report

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// requireChromium skips the test when Chromium is missing, except under
// CI=true, where the browser must be installed and the test fails instead.
func requireChromium(t *testing.T) {
	t.Helper()
	if _, err := FindChromium(os.Getenv); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
}

func TestWritePDF(t *testing.T) {
	requireChromium(t)
	r := fixture(t, fixtureOptions{organization: "Zephyr Holdings"})
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
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("output does not start with %%PDF-: %q", buf.Bytes()[:min(16, buf.Len())])
	}
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Log("pdftotext not found; not checking the text of the PDF")
		return
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, pdftotext, "-layout", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(out)
	for _, want := range []string{"Zephyr Holdings", "Executive summary", "Cloud security review 2026", "2.9"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text does not contain %q", want)
		}
	}
	// Every page's footer names the assessment and numbers the page.
	pages := strings.Split(strings.TrimRight(text, "\f\n"), "\f")
	if len(pages) < 2 {
		t.Fatalf("the PDF has %d pages, want several", len(pages))
	}
	for i, p := range pages {
		if want := fmt.Sprintf("Page %d of %d", i+1, len(pages)); !strings.Contains(p, want) {
			t.Errorf("page %d lacks %q in its footer", i+1, want)
		}
		if !strings.Contains(p, "Cloud security review 2026") {
			t.Errorf("page %d lacks the assessment's name", i+1)
		}
	}
}

func TestWritePDFWithoutChromium(t *testing.T) {
	t.Setenv("CSMM_CHROMIUM", filepath.Join(t.TempDir(), "no-such-browser"))
	var buf bytes.Buffer
	err := WritePDF(context.Background(), &buf, []byte("<p>x</p>"))
	if !errors.Is(err, ErrNoChromium) {
		t.Fatalf("err = %v, want ErrNoChromium", err)
	}
	if !strings.Contains(err.Error(), "apt-get install chromium") {
		t.Errorf("error %q does not say how to install chromium", err)
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %d bytes", buf.Len())
	}
}

func TestFindChromium(t *testing.T) {
	t.Run("env points to a missing file", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "no-such-browser")
		_, err := FindChromium(func(k string) string {
			if k == "CSMM_CHROMIUM" {
				return missing
			}
			return ""
		})
		if !errors.Is(err, ErrNoChromium) {
			t.Fatalf("err = %v, want ErrNoChromium", err)
		}
		if !strings.Contains(err.Error(), "apt-get install chromium") {
			t.Errorf("error %q does not say how to install chromium", err)
		}
	})
	t.Run("env points to a file", func(t *testing.T) {
		browser := filepath.Join(t.TempDir(), "chromium")
		if err := os.WriteFile(browser, nil, 0o755); err != nil {
			t.Fatal(err)
		}
		got, err := FindChromium(func(string) string { return browser })
		if err != nil || got != browser {
			t.Fatalf("FindChromium = %q, %v; want %q", got, err, browser)
		}
	})
}
