package move

import "github.com/csmm/csmm/internal/assess"

// label is a response as a person reads it.
func label(r assess.Response) string { return r.Label() }

// isMeasured reports whether a response is a measured figure.
func isMeasured(r assess.Response) bool { return r.Measure != nil }
