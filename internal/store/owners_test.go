package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/csmm/csmm/internal/csmm"
	"github.com/google/go-cmp/cmp"
)

// TestCreateFirstOwnerRace runs first-run setup from several stores (as
// several server replicas would) on one database at the same moment, each
// with its own email and organization so that no unique key can stop the
// losers: exactly one setup succeeds, the others get ErrSetUp.
func TestCreateFirstOwnerRace(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		url := b.fresh(t)
		const replicas = 6
		stores := make([]*Store, replicas)
		for i := range stores {
			stores[i] = open(t, url)
		}
		for round := range 3 {
			t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
				if round > 0 {
					// A new empty database for each round.
					url := b.fresh(t)
					for i := range stores {
						stores[i] = open(t, url)
					}
				}
				var wg sync.WaitGroup
				start := make(chan struct{})
				errs := make([]error, replicas)
				for i, s := range stores {
					wg.Go(func() {
						<-start
						_, _, errs[i] = s.CreateFirstOwner(ctx, Actor{RemoteAddr: "192.0.2.1"}, NewOwner{
							Organization: fmt.Sprintf("Org %d", i), Slug: fmt.Sprintf("org-%d", i),
							Email: fmt.Sprintf("owner%d@example.com", i), Name: "Owner", PasswordHash: "hash",
						})
					})
				}
				close(start)
				wg.Wait()
				won := 0
				for i, err := range errs {
					switch {
					case err == nil:
						won++
					case !errors.Is(err, ErrSetUp):
						t.Errorf("setup %d: %v, want ErrSetUp", i, err)
					}
				}
				if won != 1 {
					t.Errorf("%d setups succeeded, want exactly 1", won)
				}
				s := stores[0]
				if n, err := s.CountUsers(ctx); err != nil || n != 1 {
					t.Errorf("CountUsers = %d, %v; want 1", n, err)
				}
				if orgs, err := s.ListOrganizations(ctx); err != nil || len(orgs) != 1 {
					t.Errorf("ListOrganizations = %v, %v; want 1 organization", orgs, err)
				}
			})
		}
	})
}

func TestCreateFirstOwner(t *testing.T) {
	forEach(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		s := open(t, b.fresh(t))
		for _, tt := range []struct {
			name string
			o    NewOwner
		}{
			{"bad email", NewOwner{Organization: "Acme", Slug: "acme", Email: "nope", Name: "O"}},
			{"no name", NewOwner{Organization: "Acme", Slug: "acme", Email: "o@acme.example", Name: " "}},
			{"bad slug", NewOwner{Organization: "Acme", Slug: "Acme!", Email: "o@acme.example", Name: "O"}},
			{"no organization", NewOwner{Slug: "acme", Email: "o@acme.example", Name: "O"}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				_, _, err := s.CreateFirstOwner(ctx, Actor{}, tt.o)
				wantCode(t, err, csmm.EINVALID)
			})
		}
		if n, _ := s.CountUsers(ctx); n != 0 {
			t.Fatalf("%d users after refused setups, want 0", n)
		}

		actor := Actor{RemoteAddr: "192.0.2.7"}
		u, org, err := s.CreateFirstOwner(ctx, actor, NewOwner{Organization: " Acme Corp ", Slug: "acme-corp", Email: "owner@acme.example", Name: "Olivia", PasswordHash: "hash"})
		if err != nil {
			t.Fatal(err)
		}
		if org.Name != "Acme Corp" || u.Email != "owner@acme.example" || u.PasswordHash != "hash" {
			t.Errorf("created %+v and %+v", u, org)
		}
		m, err := s.GetMembership(ctx, org.ID, u.ID)
		if err != nil || m.Role != csmm.RoleOwner {
			t.Errorf("membership = %+v, %v; want owner", m, err)
		}
		page, err := s.ListAudit(ctx, org.ID, AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range page.Entries {
			actions = append(actions, e.Action)
			if e.RemoteAddr != actor.RemoteAddr {
				t.Errorf("audit entry %s has remote address %q, want %q", e.Action, e.RemoteAddr, actor.RemoteAddr)
			}
		}
		// Both entries share the transaction's time, so their order is not fixed.
		slices.Sort(actions)
		if diff := cmp.Diff([]string{"membership.create", "organization.create"}, actions); diff != "" {
			t.Errorf("audit actions (-want +got):\n%s", diff)
		}

		t.Run("second setup refused", func(t *testing.T) {
			_, _, err := s.CreateFirstOwner(ctx, actor, NewOwner{Organization: "Evil", Slug: "evil", Email: "evil@example.com", Name: "E"})
			if !errors.Is(err, ErrSetUp) || csmm.ErrorCode(err) != csmm.ECONFLICT {
				t.Errorf("second CreateFirstOwner: %v, want ErrSetUp (conflict)", err)
			}
		})
		t.Run("another owner", func(t *testing.T) {
			u2, org2, err := s.CreateOwner(ctx, Actor{UserID: u.ID}, NewOwner{Organization: "Beta", Slug: "beta", Email: "b@beta.example", Name: "B"})
			if err != nil {
				t.Fatal(err)
			}
			if m, err := s.GetMembership(ctx, org2.ID, u2.ID); err != nil || m.Role != csmm.RoleOwner {
				t.Errorf("membership = %+v, %v; want owner", m, err)
			}
		})
		t.Run("a taken slug leaves no user", func(t *testing.T) {
			_, _, err := s.CreateOwner(ctx, Actor{}, NewOwner{Organization: "Beta again", Slug: "beta", Email: "c@beta.example", Name: "C"})
			wantCode(t, err, csmm.ECONFLICT)
			_, err = s.GetUserByEmail(ctx, "c@beta.example")
			wantCode(t, err, csmm.ENOTFOUND)
		})
		if n, _ := s.CountUsers(ctx); n != 2 {
			t.Errorf("%d users, want 2", n)
		}
	})
}
