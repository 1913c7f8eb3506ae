package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// PasswordParams are the argon2id cost parameters of a new password hash.
// A stored hash carries its own parameters, so raising them later leaves
// existing hashes verifiable.
type PasswordParams struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
	SaltLen uint32
	KeyLen  uint32
}

// DefaultPasswordParams follow the second recommended option of RFC 9106
// (64 MiB, 3 passes), with 4 lanes.
var DefaultPasswordParams = PasswordParams{Memory: 64 * 1024, Time: 3, Threads: 4, SaltLen: 16, KeyLen: 32}

// MinPasswordLength is the shortest password accepted for a new account.
const MinPasswordLength = 12

// MaxPasswordLength bounds the work one sign-in request may cause.
const MaxPasswordLength = 1024

// ErrMalformedHash is returned when a stored hash is not an argon2id PHC string.
var ErrMalformedHash = errors.New("password hash is not an argon2id PHC string")

// CheckPasswordPolicy reports, as a message for the person choosing it, why a
// new password is not acceptable, or nil.
func CheckPasswordPolicy(password string) error {
	switch {
	case len([]rune(password)) < MinPasswordLength:
		return fmt.Errorf("the password must have at least %d characters", MinPasswordLength)
	case len(password) > MaxPasswordLength:
		return fmt.Errorf("the password must have at most %d bytes", MaxPasswordLength)
	}
	return nil
}

// HashPassword returns the argon2id hash of password in PHC string format:
// $argon2id$v=19$m=65536,t=3,p=4$<salt>$<key>, base64 without padding.
func HashPassword(password string, p PasswordParams) (string, error) {
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.SaltLen == 0 || p.KeyLen == 0 {
		return "", errors.New("hash password: every argon2id parameter must be positive")
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC hash, comparing
// in constant time. It returns ErrMalformedHash for a hash it cannot read.
func VerifyPassword(hash, password string) (bool, error) {
	p, salt, key, err := decodeHash(hash)
	if err != nil {
		return false, err
	}
	if len(password) > MaxPasswordLength {
		return false, nil
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// dummyHash is verified against when an account does not exist, so that a
// sign-in for an unknown email costs as much as one for a known email.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("no account has this password", DefaultPasswordParams)
	return h
})

// VerifyNothing spends the time of one password verification. Call it when
// the account does not exist, so that response times do not reveal which
// email addresses have accounts.
func VerifyNothing(password string) {
	_, _ = VerifyPassword(dummyHash(), password)
}

func decodeHash(hash string) (PasswordParams, []byte, []byte, error) {
	var p PasswordParams
	parts := strings.Split(hash, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", ErrMalformedHash, parts[2])
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, nil, nil, ErrMalformedHash
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || n == 0 {
			return p, nil, nil, fmt.Errorf("%w: bad parameter %q", ErrMalformedHash, kv)
		}
		switch k {
		case "m":
			p.Memory = uint32(n)
		case "t":
			p.Time = uint32(n)
		case "p":
			if n > 255 {
				return p, nil, nil, fmt.Errorf("%w: bad parameter %q", ErrMalformedHash, kv)
			}
			p.Threads = uint8(n)
		default:
			return p, nil, nil, fmt.Errorf("%w: unknown parameter %q", ErrMalformedHash, k)
		}
	}
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 {
		return p, nil, nil, fmt.Errorf("%w: missing parameter", ErrMalformedHash)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) == 0 {
		return p, nil, nil, fmt.Errorf("%w: bad salt", ErrMalformedHash)
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) == 0 {
		return p, nil, nil, fmt.Errorf("%w: bad key", ErrMalformedHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
