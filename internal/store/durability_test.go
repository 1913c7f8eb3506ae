package store

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/csmm/csmm/internal/assess"
)

// The durability test re-runs this test binary as a child that saves answers
// in a loop and prints each save once it is acknowledged. The parent kills it
// with SIGKILL mid-stream; every acknowledged save must then be in the
// database, with its audit entry, and the database must be intact.
const (
	childEnv      = "CSMM_STORE_DURABILITY_CHILD"
	childURLEnv   = "CSMM_STORE_DURABILITY_URL"
	childOrgEnv   = "CSMM_STORE_DURABILITY_ORG"
	childAssessEn = "CSMM_STORE_DURABILITY_ASSESSMENT"
)

func TestDurabilityChild(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("run by TestDurability as a child process")
	}
	ctx := context.Background()
	s, err := Open(ctx, os.Getenv(childURLEnv))
	if err != nil {
		fmt.Println("open failed:", err)
		os.Exit(2)
	}
	org, id := os.Getenv(childOrgEnv), os.Getenv(childAssessEn)
	deadline := time.Now().Add(2 * time.Minute) // never outlive a dead parent for long
	for i := 0; time.Now().Before(deadline); i++ {
		_, err := s.PutAnswer(ctx, org, Actor{UserID: "child"}, AnswerInput{AssessmentID: id,
			Objective: "DUR-" + strconv.Itoa(i), Scope: "production", Answer: assess.Yes})
		if err != nil {
			fmt.Println("save failed:", err)
			os.Exit(3)
		}
		fmt.Printf("saved %d\n", i)
	}
	os.Exit(0)
}

func TestDurability(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		t.Skip("this is the child")
	}
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		url := b.fresh(t)
		s := open(t, url)
		f := newFixture(t, s, "acme")

		cmd := exec.Command(os.Args[0], "-test.run=^TestDurabilityChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"=1", childURLEnv+"="+url, childOrgEnv+"="+f.org.ID, childAssessEn+"="+f.assessment.ID)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		acked := map[string]bool{}
		sc := bufio.NewScanner(out)
		killed := false
		for sc.Scan() {
			line := sc.Text()
			if n, ok := strings.CutPrefix(line, "saved "); ok {
				acked["DUR-"+n] = true
			} else if strings.Contains(line, "failed") {
				t.Errorf("child: %s", line)
			}
			// Kill while saves are in flight, after enough to be meaningful.
			if len(acked) == 150 && !killed {
				if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		err = cmd.Wait()
		if !killed {
			t.Fatalf("the child ended before it was killed (%d saves): %v", len(acked), err)
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("the child was not killed by SIGKILL: %v", cmd.ProcessState)
		}

		answers, err := s.ListAnswers(ctx, f.org.ID, f.assessment.ID)
		if err != nil {
			t.Fatal(err)
		}
		stored := map[string]bool{}
		for _, a := range answers {
			stored[a.Objective] = true
		}
		for obj := range acked {
			if !stored[obj] {
				t.Errorf("acknowledged save %s is missing after the kill", obj)
			}
		}
		if len(stored) < len(acked) {
			t.Errorf("%d answers stored, fewer than the %d acknowledged", len(stored), len(acked))
		}
		page, err := s.ListAudit(ctx, f.org.ID, AuditFilter{Action: "answer.put", Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Entries) != len(stored) {
			t.Errorf("%d answer.put audit entries for %d stored answers: a save and its audit entry were not atomic", len(page.Entries), len(stored))
		}
		if s.dialect == dialectSQLite {
			db, err := sql.Open("sqlite", url)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var result string
			if err := db.QueryRow("PRAGMA integrity_check").Scan(&result); err != nil {
				t.Fatal(err)
			}
			if result != "ok" {
				t.Errorf("PRAGMA integrity_check = %q, want ok", result)
			}
		}
		// The store still takes writes after the writer died mid-transaction.
		if _, err := s.PutAnswer(ctx, f.org.ID, f.actor, AnswerInput{AssessmentID: f.assessment.ID, Objective: "AFTER-2.1", Scope: "production", Answer: assess.No}); err != nil {
			t.Errorf("save after the kill: %v", err)
		}
	})
}
