package service

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/csmm"
	"github.com/csmm/csmm/internal/evidence"
	"github.com/csmm/csmm/internal/evidence/load"
	"github.com/csmm/csmm/internal/store"
)

// MaxEvidenceBytes bounds an uploaded scanner file.
const MaxEvidenceBytes = 32 << 20

// EvidenceResult is the answer to an evidence import: the file's evidence
// summary as `csmm evidence --format json` prints it for that file
// (formats.md), and what was stored.
type EvidenceResult struct {
	Files  []evidence.Summary `json:"files" nonnull:"true"`
	Stored StoredEvidence     `json:"stored"`
}

// StoredEvidence is what an import stored in the assessment.
type StoredEvidence struct {
	// Source names the import; importing a file of the same name and
	// format again replaces it (in the scopes it applies to).
	Source   string `json:"source"`
	FileName string `json:"file_name"`
	Format   string `json:"format"`
	// Scope is the scope the file applies to; "" for every scope.
	Scope string `json:"scope,omitempty" doc:"The scope the file applies to; absent for every scope"`
	// Replaced counts the records of an earlier import of the same
	// source that this one replaced.
	Replaced int `json:"replaced"`
	// Records are the stored counts per objective and scope.
	Records []store.Evidence `json:"records" nonnull:"true"`
}

// ImportEvidence reads a scanner file (any format of formats.md, told from
// the content), counts its findings per objective of the assessment's
// model, and stores them in the assessment in one transaction, replacing
// an earlier import of the same file name and format in the scopes it
// applies to: scope, or every scope of the assessment when scope is "".
// A file that cannot be read is invalid, with its location in the error's
// problems, and nothing is stored; another organization's assessment is
// not_found. The API and the web pages both call it.
func ImportEvidence(ctx context.Context, st *store.Store, orgID string, actor store.Actor, assessmentID, name, scope string, data []byte) (*EvidenceResult, error) {
	name = EvidenceFileName(name)
	as, err := st.GetAssessment(ctx, orgID, assessmentID)
	if err != nil {
		return nil, err
	}
	var scopes []string
	for _, sc := range as.Scopes {
		scopes = append(scopes, sc.ID)
	}
	if scope != "" && !slices.Contains(scopes, scope) {
		return nil, csmm.Errorf(csmm.EINVALID, "scope: %q is not a scope of the assessment; its scopes are %s", scope, strings.Join(scopes, ", "))
	}
	m, err := st.LoadModel(ctx, orgID, as.ModelRef)
	if err != nil {
		return nil, err
	}
	f, err := load.Parse(name, data)
	if err != nil {
		return nil, evidenceFileError(name, err)
	}
	ix := evidence.NewIndex(m)
	sum := ix.Summarize(f)
	counts, err := ix.Evidence([]evidence.Scoped{{Scope: scope, File: f}}, scopes)
	if err != nil {
		return nil, WithProblems(err.Error(), []Problem{{File: name, Message: err.Error()}})
	}
	records := make([]store.Evidence, 0, len(counts))
	// In model order, then scope order, for a stable answer.
	for _, o := range m.Objectives {
		for _, sc := range scopes {
			if e, ok := counts[assess.Key{Objective: o.ID, Scope: sc}]; ok {
				records = append(records, store.Evidence{Objective: o.ID, Scope: sc, Passed: e.Passed, Failed: e.Failed, Muted: e.Muted})
			}
		}
	}
	imp := store.EvidenceImport{Source: f.Source(), FileName: name, Format: string(f.Format), Scope: scope, Records: records}
	replaced, err := st.ImportEvidence(ctx, orgID, actor, assessmentID, imp)
	if err != nil {
		return nil, err
	}
	stored, err := st.ListEvidence(ctx, orgID, assessmentID)
	if err != nil {
		return nil, err
	}
	out := &EvidenceResult{Files: []evidence.Summary{sum}, Stored: StoredEvidence{
		Source: imp.Source, FileName: name, Format: imp.Format, Scope: scope, Replaced: replaced, Records: []store.Evidence{},
	}}
	for _, e := range stored {
		if e.Source == imp.Source && (scope == "" || e.Scope == scope) {
			out.Stored.Records = append(out.Stored.Records, e)
		}
	}
	return out, nil
}

// EvidenceFileName is the base name of an uploaded scanner file, without
// directories or control characters; "evidence" when there is none.
func EvidenceFileName(name string) string {
	name = path.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == "/" || name == ".." {
		return "evidence"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// evidenceFileError turns an importer's error into an invalid error that
// carries its location.
func evidenceFileError(name string, err error) error {
	if pe, ok := errors.AsType[*evidence.ParseError](err); ok {
		return WithProblems(pe.Error(), []Problem{{File: pe.File, Line: pe.Line, Column: pe.Column, Record: pe.Record, Field: pe.Field, Message: pe.Message}})
	}
	if ue, ok := errors.AsType[*evidence.UnsupportedError](err); ok {
		return WithProblems(ue.Error(), []Problem{{File: ue.File, Message: ue.Error()}})
	}
	return WithProblems(fmt.Sprintf("%s: %s", name, err.Error()), []Problem{{File: name, Message: err.Error()}})
}
