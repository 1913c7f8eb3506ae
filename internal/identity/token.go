package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
)

// Token prefixes say what a secret is when it turns up in a log or a
// repository, so that secret scanners can recognise it.
const (
	// SessionPrefix starts the value of a session cookie.
	SessionPrefix = "csmms_"
	// APITokenPrefix starts an API token.
	APITokenPrefix = "csmm_"
)

// tokenBytes is the entropy of a token: 256 bits.
const tokenBytes = 32

// NewToken returns a random secret starting with prefix and the hash under
// which it is stored. The secret is shown once and never stored.
func NewToken(prefix string) (secret, hash string, err error) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new token: %w", err)
	}
	secret = prefix + base64.RawURLEncoding.EncodeToString(b)
	return secret, HashToken(secret), nil
}

// HashToken returns the hex SHA-256 of a token: what the store keeps and
// looks tokens up by. Tokens carry 256 bits of entropy, so a fast hash is
// enough; a stolen database does not yield usable tokens.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// HasPrefix reports whether secret looks like a token of the given kind and
// length, before any database look-up.
func HasPrefix(secret, prefix string) bool {
	return strings.HasPrefix(secret, prefix) &&
		len(secret) == len(prefix)+base64.RawURLEncoding.EncodedLen(tokenBytes)
}

// TokenHint is the part of a token safe to show in a list of tokens (the
// prefix and four characters), so its owner can tell tokens apart.
func TokenHint(secret string) string {
	for _, p := range []string{SessionPrefix, APITokenPrefix} {
		if strings.HasPrefix(secret, p) && len(secret) >= len(p)+4 {
			return secret[:len(p)+4] + "…"
		}
	}
	return "…"
}

// NewPassword returns a random password of 24 characters for an account
// created from the command line, printed once to the operator.
func NewPassword() (string, error) {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
