package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/csmm/csmm/internal/assess"
)

// BenchmarkPutAnswer saves answers one after another on SQLite, each in its
// own transaction as putAnswer does: the time of one save is the time the
// single writer is held.
func BenchmarkPutAnswer(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "csmm.db"))
	f := newFixture(b, s, "bench")
	ctx := context.Background()
	objectives := []string{"IAM-1.1", "IAM-1.2", "IAM-2.1", "IAM-2.2", "GOV-1.1", "GOV-2.1"}
	versions := map[string]int{}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		obj, scope := objectives[i%len(objectives)], []string{"production", "development"}[i/len(objectives)%2]
		key := obj + "/" + scope
		a, err := s.PutAnswer(ctx, f.org.ID, f.actor, AnswerInput{
			AssessmentID: f.assessment.ID, Objective: obj, Scope: scope,
			Answer: []assess.Answer{"yes", "no", "half"}[i%3], Note: fmt.Sprintf("note %d", i),
			AnsweredBy: "bench", AnsweredAt: assess.Date{Year: 2026, Month: 9, Day: 1}, ExpectedVersion: versions[key],
		})
		if err != nil {
			b.Fatal(err)
		}
		versions[key] = a.Version
	}
}

// BenchmarkPutAnswers16 saves answers sixteen to a transaction (PutAnswers):
// compared with BenchmarkPutAnswer per answer, it is what a transaction's
// begin and commit cost.
func BenchmarkPutAnswers16(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "csmm.db"))
	f := newFixture(b, s, "bench")
	ctx := context.Background()
	objectives := []string{"IAM-1.1", "IAM-1.2", "IAM-2.1", "IAM-2.2", "GOV-1.1", "GOV-2.1", "GOV-3.1", "ORG-1.1"}
	versions := map[string]int{}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var list []AnswerInput
		for j := range 16 {
			obj, scope := objectives[j%len(objectives)], []string{"production", "development"}[j/len(objectives)]
			list = append(list, AnswerInput{AssessmentID: f.assessment.ID, Objective: obj, Scope: scope,
				Answer: []assess.Answer{"yes", "no", "half"}[(i+j)%3], Note: fmt.Sprintf("note %d", i),
				AnsweredBy: "bench", AnsweredAt: assess.Date{Year: 2026, Month: 9, Day: 1}, ExpectedVersion: versions[obj+"/"+scope]})
		}
		as, err := s.PutAnswers(ctx, f.org.ID, f.actor, f.assessment.ID, list)
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range as {
			versions[a.Objective+"/"+a.Scope] = a.Version
		}
	}
}

// BenchmarkSaveBatch writes batches of 24 answer saves over 12 assessments
// on SQLite, as the save queue does under load: together (saveBatch: one
// query and up to five statements) and save by save in one transaction
// (five statements a save), each batch changing every answer it saves.
func BenchmarkSaveBatch(b *testing.B) {
	for _, mode := range []string{"together", "by-save"} {
		b.Run(mode, func(b *testing.B) {
			s := open(b, filepath.Join(b.TempDir(), "csmm.db"))
			f := newFixture(b, s, "bench")
			ctx := context.Background()
			ids := []string{f.assessment.ID}
			for len(ids) < 12 {
				a, err := s.CreateAssessment(ctx, f.org.ID, f.actor, AssessmentInput{Name: fmt.Sprint("A", len(ids)),
					Scopes: []Scope{{ID: "production"}, {ID: "development"}}})
				if err != nil {
					b.Fatal(err)
				}
				ids = append(ids, a.ID)
			}
			versions := map[string]int{}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				batch := make([]*answerSave, 0, 24)
				for j := range 24 {
					id, scope := ids[j%len(ids)], []string{"production", "development"}[j/len(ids)]
					key := id + "/" + scope
					batch = append(batch, newSave(f.org.ID, f.actor, AnswerInput{AssessmentID: id, Objective: "IAM-1.1", Scope: scope,
						Answer: []assess.Answer{"yes", "no", "half"}[(i+j)%3], Note: fmt.Sprintf("note %d", i),
						AnsweredBy: "bench", ExpectedVersion: versions[key]}, nil))
				}
				if mode == "together" {
					s.saveBatch(batch)
				} else if err := s.saveBatchBySave(ctx, batch); err != nil {
					b.Fatal(err)
				}
				for _, r := range batch {
					if r.err != nil {
						b.Fatal(r.err)
					}
					versions[r.in.AssessmentID+"/"+r.in.Scope] = r.a.Version
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*24), "ns/save")
		})
	}
}
