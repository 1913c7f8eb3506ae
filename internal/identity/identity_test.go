package identity

import (
	"errors"
	"strings"
	"testing"
)

var testParams = PasswordParams{Memory: 1024, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashPassword(t *testing.T) {
	h, err := HashPassword("correct horse battery", testParams)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Fatalf("hash %q is not an argon2id PHC string with the given parameters", h)
	}
	h2, err := HashPassword("correct horse battery", testParams)
	if err != nil {
		t.Fatal(err)
	}
	if h == h2 {
		t.Error("two hashes of one password are equal; the salt is not random")
	}
	tests := []struct {
		name     string
		password string
		want     bool
	}{
		{"right", "correct horse battery", true},
		{"wrong", "correct horse battery!", false},
		{"empty", "", false},
		{"case", "Correct horse battery", false},
		{"too long", strings.Repeat("x", MaxPasswordLength+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := VerifyPassword(h, tt.password)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("VerifyPassword(%q) = %v, want %v", tt.password, got, tt.want)
			}
		})
	}
}

func TestVerifyPasswordKnownVector(t *testing.T) {
	// A test vector of the reference implementation (phc-winner-argon2 test.c).
	const h = "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"
	ok, err := VerifyPassword(h, "password")
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Error("the reference hash of \"password\" does not verify")
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	tests := map[string]string{
		"empty":       "",
		"bcrypt":      "$2a$10$abcdefghijklmnopqrstuu",
		"argon2i":     "$argon2i$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaA",
		"version":     "$argon2id$v=16$m=1024,t=1,p=1$c29tZXNhbHQ$aGFzaA",
		"zero memory": "$argon2id$v=19$m=0,t=1,p=1$c29tZXNhbHQ$aGFzaA",
		"no threads":  "$argon2id$v=19$m=1024,t=1$c29tZXNhbHQ$aGFzaA",
		"bad salt":    "$argon2id$v=19$m=1024,t=1,p=1$!!!$aGFzaA",
		"no key":      "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$",
		"unknown":     "$argon2id$v=19$m=1024,t=1,p=1,x=2$c29tZXNhbHQ$aGFzaA",
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			ok, err := VerifyPassword(h, "password")
			if !errors.Is(err, ErrMalformedHash) {
				t.Errorf("err = %v, want ErrMalformedHash", err)
			}
			if ok {
				t.Error("a malformed hash verified")
			}
		})
	}
}

func TestCheckPasswordPolicy(t *testing.T) {
	tests := []struct {
		name, password string
		ok             bool
	}{
		{"short", "short", false},
		{"eleven", "elevenchars", false},
		{"twelve", "twelve chars", true},
		{"long", strings.Repeat("a", MaxPasswordLength+1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckPasswordPolicy(tt.password); (err == nil) != tt.ok {
				t.Errorf("CheckPasswordPolicy = %v, want ok=%v", err, tt.ok)
			}
		})
	}
}

func TestNewToken(t *testing.T) {
	s1, h1, err := NewToken(APITokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	s2, h2, err := NewToken(APITokenPrefix)
	if err != nil {
		t.Fatal(err)
	}
	if s1 == s2 || h1 == h2 {
		t.Error("two tokens are equal")
	}
	if !HasPrefix(s1, APITokenPrefix) {
		t.Errorf("token %q does not have the API token shape", s1)
	}
	if HasPrefix(s1, SessionPrefix) {
		t.Errorf("API token %q passes as a session token", s1)
	}
	if HashToken(s1) != h1 {
		t.Error("HashToken does not give the hash NewToken returned")
	}
	if strings.Contains(h1, s1) || len(h1) != 64 {
		t.Errorf("hash %q is not a hex SHA-256", h1)
	}
	// The SHA-256 of "abc".
	if got := HashToken("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashToken(abc) = %s", got)
	}
	if hint := TokenHint(s1); !strings.HasPrefix(s1, strings.TrimSuffix(hint, "…")) || len(hint) > 12 {
		t.Errorf("TokenHint = %q", hint)
	}
}

func TestRoles(t *testing.T) {
	perms := []Permission{PermRead, PermManageTokens, PermAnswer, PermRequestExemption,
		PermManageAssessments, PermDecideExemption, PermReviewAnswers, PermManageSettings, PermReadAudit, PermManageMembers}
	want := map[Role][]Permission{
		Owner:    perms,
		Admin:    perms[:9],
		Assessor: perms[:4],
		Viewer:   perms[:2],
		"":       nil,
		"root":   nil,
	}
	for role, allowed := range want {
		t.Run(string(role), func(t *testing.T) {
			for _, p := range perms {
				wantOK := false
				for _, a := range allowed {
					wantOK = wantOK || a == p
				}
				if got := Can(role, p); got != wantOK {
					t.Errorf("Can(%q, %s) = %v, want %v", role, p, got, wantOK)
				}
			}
			if Can(role, "unknown") {
				t.Error("an unknown permission is granted")
			}
		})
	}
	if !(Rank(Owner) > Rank(Admin) && Rank(Admin) > Rank(Assessor) && Rank(Assessor) > Rank(Viewer) && Rank(Viewer) > 0 && Rank("root") == 0) {
		t.Error("ranks are not owner > admin > assessor > viewer > 0")
	}
	if _, err := ParseRole("superuser"); err == nil || !strings.Contains(err.Error(), "owner, admin, assessor, viewer") {
		t.Errorf("ParseRole(superuser) error = %v, want the list of roles", err)
	}
	if r, err := ParseRole("assessor"); err != nil || r != Assessor {
		t.Errorf("ParseRole(assessor) = %q, %v", r, err)
	}
}
