package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// TestQuickContext: a quick statement runs with its context's values but
// not its end, once the context has not ended; one whose context has ended
// fails with the context's error, and a statement that is not quick keeps
// its context as it is.
func TestQuickContext(t *testing.T) {
	type key struct{}
	ctx, cancel := context.WithCancel(context.WithValue(context.Background(), key{}, "v"))
	quick, slow := &tx{quick: true}, &tx{}
	if got := quick.quickCtx(ctx); got.Done() != nil || got.Value(key{}) != "v" {
		t.Errorf("quick: Done %v, value %v: want no Done channel and the value", got.Done(), got.Value(key{}))
	}
	if got := slow.quickCtx(ctx); got != ctx {
		t.Errorf("not quick: got another context")
	}
	cancel()
	if got := quick.quickCtx(ctx); got != ctx {
		t.Errorf("quick after the end: got another context, want the ended one")
	}

	s := open(t, filepath.Join(t.TempDir(), "csmm.db"))
	f := newFixture(t, s, "quick")
	if _, err := s.TokenAccess(ctx, "no-such-hash", f.org.Slug, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("TokenAccess with an ended context: %v, want context.Canceled", err)
	}
	if _, err := s.AssessmentRevision(ctx, f.org.ID, "no-such-assessment"); !errors.Is(err, context.Canceled) {
		t.Errorf("AssessmentRevision with an ended context: %v, want context.Canceled", err)
	}
}
