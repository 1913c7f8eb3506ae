// Package csmm holds the domain-level vocabulary shared by every layer of the
// server: the application error type with its codes, and the roles a member
// of an organization may have. It has no dependencies, so the store, the
// services and the HTTP handlers can all speak it.
package csmm

import (
	"errors"
	"fmt"
)

// The application error codes. Each maps to one HTTP status in one place (the
// server); store and service methods document which codes they return.
const (
	// EINVALID means the request is malformed or breaks a rule of the data.
	EINVALID = "invalid"
	// ENOTFOUND means the thing does not exist, or belongs to another
	// organization (the two are not told apart, so IDs cannot be probed).
	ENOTFOUND = "not_found"
	// ECONFLICT means a unique value is taken or the stored version changed.
	ECONFLICT = "conflict"
	// EUNAUTHORIZED means the caller is not signed in or the credentials are wrong.
	EUNAUTHORIZED = "unauthorized"
	// EFORBIDDEN means the caller is signed in but may not do this.
	EFORBIDDEN = "forbidden"
	// EINTERNAL means something failed that the caller cannot fix.
	EINTERNAL = "internal"
	// ERATELIMITED means too many attempts; the caller should wait.
	ERATELIMITED = "rate_limited"
	// ETOOLARGE means a request body or uploaded file is over its limit.
	ETOOLARGE = "too_large"
)

// Error is an application error: a code a program can act on and a message a
// person can read. The message is safe to show to the user; details that are
// only for the log belong in a wrapped error around it.
type Error struct {
	Code    string
	Message string
}

// Error returns the message with its code.
func (e *Error) Error() string {
	return fmt.Sprintf("csmm error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, "" for a nil
// error, and EINTERNAL for any other error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first *Error in err's chain, "" for
// a nil error, and a generic message for any other error, so that internal
// details never reach the user.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Message
	}
	return "internal error"
}
