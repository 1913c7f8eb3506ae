package yamlguard

import (
	"strconv"
	"strings"
	"time"

	"github.com/csmm/csmm/internal/lazyregexp"
)

// The tag resolution of plain scalars below follows gopkg.in/yaml.v3
// v3.0.1 (resolve.go, MIT and Apache-2.0 licensed, Copyright 2011-2019
// Canonical Ltd) rule for rule: the fast reader must give every plain
// scalar the tag yaml.v3 gives it. TestResolveTagMatchesYAML and
// FuzzFastParse compare the two.

// resolveHint classifies the first byte of a plain scalar as yaml.v3 does:
// 0 means the scalar can only be a string.
var resolveHint = func() (t [256]byte) {
	t['+'], t['-'] = 'S', 'S'
	for c := '0'; c <= '9'; c++ {
		t[c] = 'D'
	}
	for _, c := range "yYnNtTfFoO~" {
		t[c] = 'M'
	}
	t['.'] = '.'
	return t
}()

// resolveWords are the plain scalars whose tag is found by name.
var resolveWords = map[string]string{
	"true": "!!bool", "True": "!!bool", "TRUE": "!!bool",
	"false": "!!bool", "False": "!!bool", "FALSE": "!!bool",
	"": "!!null", "~": "!!null", "null": "!!null", "Null": "!!null", "NULL": "!!null",
	".nan": "!!float", ".NaN": "!!float", ".NAN": "!!float",
	".inf": "!!float", ".Inf": "!!float", ".INF": "!!float",
	"+.inf": "!!float", "+.Inf": "!!float", "+.INF": "!!float",
	"-.inf": "!!float", "-.Inf": "!!float", "-.INF": "!!float",
	"<<": "!!merge",
}

var yamlStyleFloat = lazyregexp.New(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)

// resolveTag returns the tag yaml.v3 gives the plain scalar s.
func resolveTag(s string) string {
	hint := byte('N')
	if s != "" {
		hint = resolveHint[s[0]]
	}
	if hint == 0 {
		if s == "<<" {
			return "!!merge"
		}
		return "!!str"
	}
	if tag, ok := resolveWords[s]; ok {
		return tag
	}
	switch hint {
	case '.':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return "!!float"
		}
	case 'D', 'S':
		if isDate(s) || isTimestamp(s) {
			return "!!timestamp"
		}
		plain := strings.ReplaceAll(s, "_", "")
		if _, err := strconv.ParseInt(plain, 0, 64); err == nil {
			return "!!int"
		}
		if _, err := strconv.ParseUint(plain, 0, 64); err == nil {
			return "!!int"
		}
		if yamlStyleFloat.MatchString(plain) {
			if _, err := strconv.ParseFloat(plain, 64); err == nil {
				return "!!float"
			}
		}
		if strings.HasPrefix(plain, "0b") {
			if _, err := strconv.ParseInt(plain[2:], 2, 64); err == nil {
				return "!!int"
			}
			if _, err := strconv.ParseUint(plain[2:], 2, 64); err == nil {
				return "!!int"
			}
		} else if strings.HasPrefix(plain, "-0b") {
			if _, err := strconv.ParseInt("-"+plain[3:], 2, 64); err == nil {
				return "!!int"
			}
		}
		if strings.HasPrefix(plain, "0o") {
			if _, err := strconv.ParseInt(plain[2:], 8, 64); err == nil {
				return "!!int"
			}
			if _, err := strconv.ParseUint(plain[2:], 8, 64); err == nil {
				return "!!int"
			}
		} else if strings.HasPrefix(plain, "-0o") {
			if _, err := strconv.ParseInt("-"+plain[3:], 8, 64); err == nil {
				return "!!int"
			}
		}
	}
	return "!!str"
}

// isDate reports whether s is a valid date written YYYY-MM-DD, the common
// case of a timestamp, without time.Parse.
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	n := 0
	for i, c := range []byte(s) {
		if i == 4 || i == 7 {
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
		n = n*10 + int(c-'0')
	}
	year, month, day := n/10000, n/100%100, n%100
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	return day <= time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// timestampFormats are the layouts yaml.v3 tries for a timestamp.
var timestampFormats = []string{
	"2006-1-2T15:4:5.999999999Z07:00",
	"2006-1-2t15:4:5.999999999Z07:00",
	"2006-1-2 15:4:5.999999999",
	"2006-1-2",
}

// isTimestamp reports whether yaml.v3 reads s as a timestamp.
func isTimestamp(s string) bool {
	i := 0
	for ; i < len(s); i++ {
		if c := s[i]; c < '0' || c > '9' {
			break
		}
	}
	if i != 4 || i == len(s) || s[i] != '-' {
		return false
	}
	for _, format := range timestampFormats {
		if _, err := time.Parse(format, s); err == nil {
			return true
		}
	}
	return false
}
