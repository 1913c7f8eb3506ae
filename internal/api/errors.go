package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/csmm/csmm/internal/csmm"
)

// ESETUP is the error code of every API request made before the first
// organization and owner exist.
const ESETUP = "setup_required"

// EUNAVAILABLE is the error code of a feature the server cannot offer until
// its operator installs something, such as PDF reports without Chromium.
// The message says what to install.
const EUNAVAILABLE = "unavailable"

// ETOOLARGE is the error code of a request body over the route's limit,
// such as a scanner file over MaxEvidenceBytes.
const ETOOLARGE = "too_large"

// Status is the one place where an application error code becomes an HTTP
// status. Unknown codes are internal errors.
func Status(code string) int {
	switch code {
	case csmm.EINVALID:
		return http.StatusBadRequest
	case csmm.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case csmm.EFORBIDDEN:
		return http.StatusForbidden
	case csmm.ENOTFOUND:
		return http.StatusNotFound
	case csmm.ECONFLICT:
		return http.StatusConflict
	case csmm.ERATELIMITED:
		return http.StatusTooManyRequests
	case ETOOLARGE:
		return http.StatusRequestEntityTooLarge
	case ESETUP, EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON body of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code a program acts on, the message a person reads and,
// for some codes, data to act with (the file problems of an invalid upload,
// the current value of a conflicting answer).
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	// Problems lists what is wrong with an uploaded file.
	Problems any `json:"problems,omitempty"`
	// Current is the stored value that an update conflicted with.
	Current any `json:"current,omitempty"`
}

// detailedError is an application error that carries data for the response
// body besides its code and message.
type detailedError struct {
	err      *csmm.Error
	problems any
	current  any
}

func (e *detailedError) Error() string { return e.err.Error() }
func (e *detailedError) Unwrap() error { return e.err }

// withProblems returns an invalid error listing the problems of a file.
func withProblems(msg string, problems any) error {
	return &detailedError{err: csmm.Errorf(csmm.EINVALID, "%s", msg), problems: problems}
}

// ErrorProblems returns the problems an invalid error carries, such as the
// []FileProblem of a scanner file ImportEvidence refused; nil when none.
func ErrorProblems(err error) any {
	if d, ok := errors.AsType[*detailedError](err); ok {
		return d.problems
	}
	return nil
}

// withCurrent returns a conflict error carrying the stored value.
func withCurrent(cause error, current any) error {
	e, ok := errors.AsType[*csmm.Error](cause)
	if !ok {
		e = csmm.Errorf(csmm.ECONFLICT, "the value changed since it was read")
	}
	return &detailedError{err: e, current: current}
}

// WriteError renders err as the JSON error body with the status of its code.
// Internal errors are logged with their detail and shown as "internal error".
func WriteError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	code := csmm.ErrorCode(err)
	status := Status(code)
	body := ErrorBody{Error: ErrorDetail{Code: code, Message: csmm.ErrorMessage(err)}}
	if d, ok := errors.AsType[*detailedError](err); ok {
		body.Error.Problems, body.Error.Current = d.problems, d.current
	}
	switch {
	case code == EUNAVAILABLE:
		// The operator can fix this one: say so where they look.
		logger.WarnContext(r.Context(), "feature unavailable", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	case status >= 500 && code != ESETUP:
		logger.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	default:
		logger.DebugContext(r.Context(), "request refused", "method", r.Method, "path", r.URL.Path, "code", code, "error", err.Error())
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="csmm"`)
	}
	writeJSON(w, r, status, body)
}

// writeJSON writes v as the JSON response with the given status: compact,
// or indented by two spaces when the request asks with ?pretty=1.
func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		// Only a value the API built wrongly fails; say so without detail.
		status, data = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`)
	}
	writeJSONBytes(w, r, status, data)
}

// writeJSONBytes writes data, compact JSON, as the response with the given
// status, indented when the request asks with ?pretty=1.
func writeJSONBytes(w http.ResponseWriter, r *http.Request, status int, data []byte) {
	if pretty(r) {
		var buf bytes.Buffer
		if json.Indent(&buf, data, "", "  ") == nil {
			data = buf.Bytes()
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(data)+1))
	w.WriteHeader(status)
	_, _ = w.Write(data)
	_, _ = w.Write([]byte{'\n'})
}

// pretty reports whether the request asks for indented JSON (?pretty=1 or
// ?pretty=true).
func pretty(r *http.Request) bool {
	if r == nil || r.URL.RawQuery == "" {
		return false
	}
	v, err := strconv.ParseBool(r.URL.Query().Get("pretty"))
	return err == nil && v
}
