// Package history owns what an assessment looked like over time: the frozen
// snapshot of a finalized assessment (its scoring input with who answered
// what and when, its model and its scores), trends of scores over snapshots,
// the comparison of two snapshots (or a snapshot and the live assessment)
// and anonymized peer benchmarks. Like package assess it is pure: no I/O,
// clock or database; the store keeps snapshots and the front ends show them.
package history

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/csmm/csmm/internal/assess"
	"github.com/csmm/csmm/internal/model"
	jsonv2 "github.com/go-json-experiment/json"
)

// FileFormat names the snapshot export file in its "format" field.
const FileFormat = "csmm-snapshot"

// FileVersion is the version of the snapshot export file.
const FileVersion = 1

// Snapshot is a finalized assessment, frozen: nothing in it changes after it
// is stored. Its JSON (with ModelYAML) is the snapshot export file that
// getSnapshot?format=json answers and `csmm diff` reads.
type Snapshot struct {
	Format       string    `json:"format"`
	Version      int       `json:"version"`
	ID           string    `json:"id"`
	OrgID        string    `json:"org_id"`
	Organization string    `json:"organization"`
	AssessmentID string    `json:"assessment_id"`
	Assessment   string    `json:"assessment"`
	Finalized    time.Time `json:"finalized"`
	// FinalizedBy is the user (or token) that finalized the assessment.
	FinalizedBy string `json:"finalized_by"`
	Note        string `json:"note,omitempty"`
	// Model names the model the snapshot was scored with; ModelSHA256 is
	// the hash of its YAML, which the store keeps with the snapshot.
	Model       assess.ModelRef `json:"model"`
	ModelSHA256 string          `json:"model_sha256"`
	// ModelYAML is the model itself, in the export file only.
	ModelYAML string        `json:"model_yaml,omitempty"`
	Input     Input         `json:"input"`
	Result    assess.Result `json:"result"`
}

// Input is the frozen scoring input, with who gave each answer and when.
type Input struct {
	AsOf          assess.Date    `json:"as_of"`
	ValidityDays  int            `json:"validity_days"`
	Scopes        []assess.Scope `json:"scopes"`
	Targets       map[string]int `json:"targets"`
	TargetDefault int            `json:"target_default,omitempty"`
	Answers       []Answer       `json:"answers"`
	Evidence      []Evidence     `json:"evidence"`
	Exemptions    []Exemption    `json:"exemptions"`
}

// Answer is one manual answer as it was when the snapshot was taken.
type Answer struct {
	Objective string `json:"objective"`
	Scope     string `json:"scope"`
	assess.Response
	// UpdatedBy is the user or token that last saved the answer, Updated when.
	UpdatedBy string    `json:"updated_by,omitempty"`
	Updated   time.Time `json:"updated,omitzero"`
}

// Evidence is one scanner source's counts for an objective in a scope.
type Evidence struct {
	Objective string `json:"objective"`
	Scope     string `json:"scope"`
	assess.Evidence
	FileName   string    `json:"file_name,omitempty"`
	Format     string    `json:"format,omitempty"`
	Imported   time.Time `json:"imported,omitzero"`
	ImportedBy string    `json:"imported_by,omitempty"`
}

// Exemption is an approved exemption in force or expired when the
// snapshot was taken.
type Exemption struct {
	Objective string `json:"objective"`
	assess.Exemption
	RequestedBy string    `json:"requested_by,omitempty"`
	DecidedBy   string    `json:"decided_by,omitempty"`
	Decided     time.Time `json:"decided,omitzero"`
}

// Assess returns the scoring input of the frozen input with model m, as of
// asOf (the snapshot's own date when zero). Evidence of several sources for
// one objective and scope is summed as the live assessment sums it.
func (in *Input) Assess(m *model.Model, asOf assess.Date) assess.Input {
	if asOf.IsZero() {
		asOf = in.AsOf
	}
	out := assess.Input{
		Model:        m,
		Scopes:       in.Scopes,
		Answers:      make(map[assess.Key]assess.Response, len(in.Answers)),
		Evidence:     make(map[assess.Key]assess.Evidence, len(in.Evidence)),
		Exemptions:   make(map[string]assess.Exemption, len(in.Exemptions)),
		Targets:      in.Targets,
		ValidityDays: in.ValidityDays,
		AsOf:         asOf,
	}
	for _, a := range in.Answers {
		out.Answers[assess.Key{Objective: a.Objective, Scope: a.Scope}] = a.Response
	}
	for _, e := range in.Evidence {
		k := assess.Key{Objective: e.Objective, Scope: e.Scope}
		out.Evidence[k] = out.Evidence[k].Plus(e.Evidence)
	}
	for _, e := range in.Exemptions {
		out.Exemptions[e.Objective] = e.Exemption
	}
	return out
}

// Sort puts the input's lists in a stable order (objective, scope, source),
// so that two snapshots of the same state encode alike.
func (in *Input) Sort() {
	sort.Slice(in.Answers, func(i, j int) bool {
		a, b := in.Answers[i], in.Answers[j]
		return a.Objective < b.Objective || a.Objective == b.Objective && a.Scope < b.Scope
	})
	sort.Slice(in.Evidence, func(i, j int) bool {
		a, b := in.Evidence[i], in.Evidence[j]
		if a.Objective != b.Objective {
			return a.Objective < b.Objective
		}
		if a.Scope != b.Scope {
			return a.Scope < b.Scope
		}
		return a.Source < b.Source
	})
	sort.Slice(in.Exemptions, func(i, j int) bool { return in.Exemptions[i].Objective < in.Exemptions[j].Objective })
}

// ModelHash is the hex SHA-256 of a model's YAML, which names it among the
// models kept for snapshots.
func ModelHash(yaml []byte) string { return fmt.Sprintf("%x", sha256.Sum256(yaml)) }

// Pack encodes v as gzip-compressed JSON: how the store keeps a snapshot's
// input and result, a few kilobytes each.
func Pack(v any) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress: %w", err)
	}
	return buf.Bytes(), nil
}

// Unpack decodes what Pack encoded into v. A comparison reads two
// snapshots, so it uses the faster decoder (about 2.5 times encoding/json
// on a snapshot's result).
func Unpack(data []byte, v any) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("decompress: %w", err)
	}
	defer zr.Close()
	if err := jsonv2.UnmarshalRead(zr, v); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// ReadFile reads a snapshot export file; name is used in errors. It returns
// the snapshot and its model, parsed from the file's model_yaml.
func ReadFile(name string, data []byte) (*Snapshot, *model.Model, error) {
	var s Snapshot
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&s); err != nil {
		return nil, nil, fmt.Errorf("%s: not a snapshot export file: %w", name, err)
	}
	if s.Format != FileFormat {
		return nil, nil, fmt.Errorf("%s: field format: expected %q, found %q", name, FileFormat, s.Format)
	}
	if s.Version != FileVersion {
		return nil, nil, fmt.Errorf("%s: field version: expected %d, found %d", name, FileVersion, s.Version)
	}
	if s.ModelYAML == "" {
		return nil, nil, fmt.Errorf("%s: field model_yaml: expected the snapshot's model, found nothing", name)
	}
	m, err := model.Parse(name+": model_yaml", []byte(s.ModelYAML))
	if err != nil {
		return nil, nil, err
	}
	return &s, m, nil
}
