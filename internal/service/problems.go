package service

import (
	"errors"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/model"
)

// Problem locates one thing wrong with an uploaded file (a model, an
// answers file or a scanner file): the file, and where known its line,
// column, record, field, key or path, with a message. It is the element of
// an invalid error's problems in the API.
type Problem struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Record  int    `json:"record,omitempty"`
	Field   string `json:"field,omitempty"`
	Key     string `json:"key,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// ProblemsError is an invalid error about a file that lists every problem
// found in it.
type ProblemsError struct {
	Err      *csmm.Error
	Problems []Problem
}

// Error returns the error's message with its code.
func (e *ProblemsError) Error() string { return e.Err.Error() }

// Unwrap returns the application error, whose code is invalid.
func (e *ProblemsError) Unwrap() error { return e.Err }

// WithProblems returns an invalid error with the message and the problems.
func WithProblems(msg string, problems []Problem) error {
	return &ProblemsError{Err: csmm.Errorf(csmm.EINVALID, "%s", msg), Problems: problems}
}

// ErrorProblems returns the problems an error carries, such as those of a
// scanner file ImportEvidence refused; nil when none.
func ErrorProblems(err error) []Problem {
	if p, ok := errors.AsType[*ProblemsError](err); ok {
		return p.Problems
	}
	return nil
}

// ModelProblems converts the problems of an invalid model.
func ModelProblems(ps []model.Problem) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		out[i] = Problem{File: p.File, Line: p.Line, Path: p.Path, Message: p.Message}
	}
	return out
}

// AnswersProblems converts the problems of an invalid answers file.
func AnswersProblems(ps []assess.Problem) []Problem {
	out := make([]Problem, len(ps))
	for i, p := range ps {
		out[i] = Problem{File: p.File, Line: p.Line, Key: p.Key, Message: p.Message}
	}
	return out
}
