package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/service"
	"github.com/csmm/csmm/internal/store"
)

// ESETUP is the error code of every API request made before the first
// organization and owner exist.
const ESETUP = "setup_required"

// EUNAVAILABLE is the error code of a feature the server cannot offer until
// its operator installs something, such as PDF reports without Chromium.
// The message says what to install.
const EUNAVAILABLE = "unavailable"

// ETOOLARGE is the error code of a request body over the route's limit,
// such as a scanner file over service.MaxEvidenceBytes.
const ETOOLARGE = csmm.ETOOLARGE

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
	Code    ErrorCode `json:"code"`
	Message string    `json:"message" doc:"What went wrong, for a person to read"`
	// Problems lists what is wrong with an uploaded file.
	Problems []service.Problem `json:"problems,omitempty" doc:"What is wrong with an uploaded file (invalid)"`
	// Current is the stored answer that a putAnswer conflicted with; absent
	// when there is none any more.
	Current *store.Answer `json:"current,omitempty" doc:"The stored answer a putAnswer conflicted with (conflict)"`
}

// ErrorCode is the code of an error response.
type ErrorCode string

// ErrorCodes lists every code an error response may have.
var ErrorCodes = []string{csmm.EINVALID, csmm.EUNAUTHORIZED, csmm.EFORBIDDEN, csmm.ENOTFOUND, csmm.ECONFLICT, ETOOLARGE, csmm.ERATELIMITED, csmm.EINTERNAL, ESETUP, EUNAVAILABLE}

// conflictError is a conflict that carries the stored answer for the
// response body.
type conflictError struct {
	err     *csmm.Error
	current *store.Answer
}

func (e *conflictError) Error() string { return e.err.Error() }
func (e *conflictError) Unwrap() error { return e.err }

// withProblems returns an invalid error listing the problems of a file.
func withProblems(msg string, problems []service.Problem) error {
	return service.WithProblems(msg, problems)
}

// withCurrent returns a conflict error carrying the stored answer.
func withCurrent(cause error, current *store.Answer) error {
	e, ok := errors.AsType[*csmm.Error](cause)
	if !ok {
		e = csmm.Errorf(csmm.ECONFLICT, "the value changed since it was read")
	}
	return &conflictError{err: e, current: current}
}

// WriteError renders err as the JSON error body with the status of its code.
// Internal errors are logged with their detail and shown as "internal error".
func WriteError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	code := csmm.ErrorCode(err)
	status := Status(code)
	body := ErrorBody{Error: ErrorDetail{Code: ErrorCode(code), Message: csmm.ErrorMessage(err), Problems: service.ErrorProblems(err)}}
	if c, ok := errors.AsType[*conflictError](err); ok {
		body.Error.Current = c.current
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
	line, err := marshalLine(v)
	if err != nil {
		// Only a value the API built wrongly fails; say so without detail.
		status, line = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`+"\n")
	}
	writeJSONLine(w, r, status, line)
}

// marshalLine encodes v as compact JSON ending with a newline, as
// writeJSONLine takes it.
func marshalLine(v any) ([]byte, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// writeJSONLine writes line, compact JSON ending with a newline, as the
// response with the given status, indented when the request asks with
// ?pretty=1. The body is written in one piece: a large body written
// before its newline went out as a packet of its own, which the client
// waited for.
func writeJSONLine(w http.ResponseWriter, r *http.Request, status int, line []byte) {
	if pretty(r) {
		var buf bytes.Buffer
		// Indent keeps the trailing newline.
		if json.Indent(&buf, line, "", "  ") == nil {
			line = buf.Bytes()
		}
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(line)))
	w.WriteHeader(status)
	_, _ = w.Write(line)
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
