package yamlguard

import (
	"bytes"
	"strings"
	"sync/atomic"
	"unicode/utf8"
	"unsafe"

	"gopkg.in/yaml.v3"
)

// The fast reader builds the same yaml.Node tree as yaml.v3 (Kind, Style,
// Tag, Value, Line, Column and Content; no comments) for a subset of YAML
// that covers what the project writes and documents: block mappings and
// block sequences indented with spaces, flow mappings and flow sequences on
// one line, plain scalars on one line, single- and double-quoted scalars on
// one line, comments, blank lines, an optional leading "---" and a final
// "...". It answers ok=false for anything else (block scalars, scalars or
// flow collections over several lines, anchors, aliases, tags, "?" keys,
// tabs, carriage returns, directives, several documents, empty documents,
// and some legal but rare spellings), and Parse then reads the file with
// yaml.v3, so that every error and its line stay yaml.v3's. It is several
// times faster than yaml.v3 and allocates nodes in slabs.

// HugePages lets the fast reader ask Linux for transparent huge pages for
// the node slab of a large file (8 MiB of nodes and more), which halves the
// page faults of reading it. A short-lived process (a csmm command) turns it
// on; a server leaves it off, since the advice stays on that part of the
// heap after the tree is gone, where khugepaged may later fill huge pages
// that are mostly unused.
var HugePages atomic.Bool

// fastReads counts the files Parse read with the fast reader.
var fastReads atomic.Int64

// FastReads returns how many files Parse has read with its own reader
// rather than yaml.v3, so that tests can check that the files the project
// writes stay on the fast path.
func FastReads() int64 { return fastReads.Load() }

// fastLine is a line that holds content (not blank, not only a comment).
type fastLine struct {
	start, end int // byte offsets in the source; end is the '\n' or the end
	indent     int // leading spaces
	num        int // 1-based line number
	ascii      bool
}

type fastParser struct {
	src   string
	lines []fastLine
	depth int
	// count is the number of nodes built, maxDepth the deepest nesting of
	// collections reached (the root collection is 1).
	count, maxDepth int

	nodes []yaml.Node  // slab of nodes handed out from the front
	ptrs  []*yaml.Node // slab of Content slices
	stack []*yaml.Node // children of the collections being read
}

// The most deeply nested collections the fast reader builds; deeper files
// go to yaml.v3 (and are refused by the depth limit either way).
const fastMaxDepth = MaxDepth + 2

// fastParse reads data with the fast reader; ok is false when data is not
// in its subset.
//
// within is true when the tree has at most MaxNodes nodes and nests at
// most MaxDepth deep: the walker would find nothing to refuse in it.
func fastParse(data []byte) (root *yaml.Node, within, ok bool) {
	p := &fastParser{src: string(data)}
	if !p.scanLines() {
		return nil, false, false
	}
	// Most nodes are the keys and values of mapping entries: one slab for
	// that many, so that the heap grows once (a garbage collection while
	// the tree grows marks all of it again) rather than in 1024-node steps.
	// It is never more than one node per 16 bytes of input (the 200-scope
	// answers file has one per 16.4), so that a file of colons inside
	// quotes cannot make it larger than the tree of a real file its size.
	slab := 2 * (bytes.Count(data, []byte(": ")) + bytes.Count(data, []byte(":\n")))
	if slab = min(slab, len(data)/16); slab > 1024 {
		p.nodes = make([]yaml.Node, slab)
		if size := slab * int(unsafe.Sizeof(p.nodes[0])); size >= 8<<20 && HugePages.Load() {
			hugePages(unsafe.Slice((*byte)(unsafe.Pointer(&p.nodes[0])), size))
		}
	}
	lines := p.lines
	doc := p.node(yaml.DocumentNode, "", "", 0, 0)
	first := 0
	if len(lines) > 0 && p.isMarker(lines[0], '-') {
		ln := lines[0]
		if !p.restEmpty(ln, ln.start+3) {
			return nil, false, false
		}
		doc.Line, doc.Column = ln.num, 1
		first = 1
	}
	if n := len(lines); n > first && p.isMarker(lines[n-1], '.') {
		ln := lines[n-1]
		if !p.restEmpty(ln, ln.start+3) {
			return nil, false, false
		}
		lines = lines[:n-1]
		p.lines = lines
	}
	if len(lines) == first {
		return nil, false, false
	}
	for _, ln := range lines[first:] {
		if p.isMarker(ln, '-') || p.isMarker(ln, '.') || p.src[ln.start] == '%' && ln.indent == 0 {
			return nil, false, false
		}
	}
	ln := lines[first]
	pos := ln.start + ln.indent
	var n *yaml.Node
	next := first + 1
	switch c := p.src[pos]; {
	case c == '-' && p.blankz(pos+1):
		n, next, ok = p.sequence(first, ln.indent)
	case c == '[' || c == '{':
		var end int
		n, end, ok = p.flow(ln, pos)
		ok = ok && p.restEmpty(ln, end)
	default:
		if _, _, isKey := p.keyEnd(ln, pos); isKey {
			n, next, ok = p.mapping(first, ln.indent)
		}
	}
	if !ok || n == nil || next != len(lines) {
		return nil, false, false
	}
	if doc.Line == 0 {
		doc.Line, doc.Column = n.Line, n.Column
	}
	doc.Content = []*yaml.Node{n}
	return doc, p.count <= MaxNodes && p.maxDepth <= MaxDepth, true
}

// scanLines checks every character and records the content lines. It
// refuses what yaml.v3 reads differently from plain text: tabs, carriage
// returns, control characters, a byte order mark, invalid UTF-8 and the
// Unicode line breaks.
func (p *fastParser) scanLines() bool {
	s := p.src
	p.lines = make([]fastLine, 0, strings.Count(s, "\n")+1)
	num := 0
	for start := 0; start < len(s); {
		num++
		end := start
		ascii := true
		for end < len(s) && s[end] != '\n' {
			c := s[end]
			if c >= 0x20 && c < 0x7f {
				end++
				continue
			}
			if c < 0x80 {
				return false // controls, tabs, carriage returns, DEL
			}
			r, size := utf8.DecodeRuneInString(s[end:])
			if r == utf8.RuneError || r < 0xA0 || r == 0x2028 || r == 0x2029 || r == 0xFEFF ||
				(r > 0xD7FF && r < 0xE000) || r == 0xFFFE || r == 0xFFFF {
				return false
			}
			ascii = false
			end += size
		}
		indent := 0
		for start+indent < end && s[start+indent] == ' ' {
			indent++
		}
		if start+indent < end && s[start+indent] != '#' {
			p.lines = append(p.lines, fastLine{start: start, end: end, indent: indent, num: num, ascii: ascii})
		}
		start = end + 1
	}
	return true
}

// isMarker reports whether ln starts with "---" (c '-') or "..." (c '.')
// followed by a blank or the end of the line.
func (p *fastParser) isMarker(ln fastLine, c byte) bool {
	return ln.indent == 0 && ln.end-ln.start >= 3 && p.src[ln.start] == c && p.src[ln.start+1] == c &&
		p.src[ln.start+2] == c && (ln.end-ln.start == 3 || p.src[ln.start+3] == ' ')
}

// blankz reports whether the byte at i is a space, a line break or the end.
func (p *fastParser) blankz(i int) bool {
	return i >= len(p.src) || p.src[i] == ' ' || p.src[i] == '\n'
}

// skipSpaces returns the first offset from i on ln that is not a space.
func (p *fastParser) skipSpaces(ln fastLine, i int) int {
	for i < ln.end && p.src[i] == ' ' {
		i++
	}
	return i
}

// restEmpty reports whether the rest of ln from i is blank or a comment
// preceded by a blank.
func (p *fastParser) restEmpty(ln fastLine, i int) bool {
	j := p.skipSpaces(ln, i)
	return j == ln.end || (j > i && p.src[j] == '#')
}

// column is the 1-based column, in characters, of offset i on ln.
func (p *fastParser) column(ln fastLine, i int) int {
	if ln.ascii {
		return i - ln.start + 1
	}
	return utf8.RuneCountInString(p.src[ln.start:i]) + 1
}

func (p *fastParser) node(kind yaml.Kind, tag, value string, line, column int) *yaml.Node {
	if len(p.nodes) == 0 {
		p.nodes = make([]yaml.Node, 1024)
	}
	n := &p.nodes[0]
	p.nodes = p.nodes[1:]
	p.count++
	n.Kind, n.Tag, n.Value, n.Line, n.Column = kind, tag, value, line, column
	return n
}

// content moves the children pushed since mark into a slice of their own.
func (p *fastParser) content(mark int) []*yaml.Node {
	k := len(p.stack) - mark
	if k == 0 {
		return nil
	}
	if len(p.ptrs) < k {
		p.ptrs = make([]*yaml.Node, max(4096, k))
	}
	c := p.ptrs[:k:k]
	p.ptrs = p.ptrs[k:]
	copy(c, p.stack[mark:])
	clear(p.stack[mark:])
	p.stack = p.stack[:mark]
	return c
}

func (p *fastParser) enter() bool {
	p.depth++
	p.maxDepth = max(p.maxDepth, p.depth)
	return p.depth <= fastMaxDepth
}

// mapping reads a block mapping whose keys are at column col (0-based,
// equal to the byte offset: what precedes a block key is ASCII), the first
// on content line li at that column.
func (p *fastParser) mapping(li, col int) (*yaml.Node, int, bool) {
	if !p.enter() {
		return nil, 0, false
	}
	defer func() { p.depth-- }()
	n := p.node(yaml.MappingNode, "!!map", "", p.lines[li].num, col+1)
	mark := len(p.stack)
	for first := true; li < len(p.lines); first = false {
		ln := p.lines[li]
		if !first {
			if ln.indent < col {
				break
			}
			if ln.indent > col {
				return nil, 0, false
			}
		}
		key, after, ok := p.key(ln, ln.start+col)
		if !ok {
			return nil, 0, false
		}
		p.stack = append(p.stack, key)
		q := p.skipSpaces(ln, after)
		var v *yaml.Node
		if q == ln.end || (q > after && p.src[q] == '#') {
			next := li + 1
			switch {
			case next < len(p.lines) && p.lines[next].indent > col:
				v, li, ok = p.nested(next)
			case next < len(p.lines) && p.lines[next].indent == col && p.isDash(p.lines[next], col):
				v, li, ok = p.sequence(next, col)
			default:
				v = p.node(yaml.ScalarNode, "!!null", "", ln.num, p.column(ln, after))
				li = next
			}
		} else {
			v, ok = p.inline(ln, q)
			li++
			if ok && li < len(p.lines) && p.lines[li].indent > col {
				ok = false // a continued scalar, or an error
			}
		}
		if !ok {
			return nil, 0, false
		}
		p.stack = append(p.stack, v)
	}
	n.Content = p.content(mark)
	return n, li, true
}

func (p *fastParser) isDash(ln fastLine, col int) bool {
	i := ln.start + col
	return i < ln.end && p.src[i] == '-' && p.blankz(i+1)
}

// sequence reads a block sequence whose dashes are at column col, the first
// on content line li.
func (p *fastParser) sequence(li, col int) (*yaml.Node, int, bool) {
	if !p.enter() {
		return nil, 0, false
	}
	defer func() { p.depth-- }()
	n := p.node(yaml.SequenceNode, "!!seq", "", p.lines[li].num, col+1)
	mark := len(p.stack)
	for first := true; li < len(p.lines); first = false {
		ln := p.lines[li]
		if !first {
			if ln.indent < col {
				break
			}
			if ln.indent > col {
				return nil, 0, false
			}
			if !p.isDash(ln, col) {
				break // a key at the column of an indentless list: the parent's
			}
		}
		dash := ln.start + col
		q := p.skipSpaces(ln, dash+1)
		var v *yaml.Node
		ok := true
		switch {
		case q == ln.end || (q > dash+1 && p.src[q] == '#'):
			next := li + 1
			if next < len(p.lines) && p.lines[next].indent > col {
				v, li, ok = p.nested(next)
			} else {
				v = p.node(yaml.ScalarNode, "!!null", "", ln.num, p.column(ln, dash+1))
				li = next
			}
		case p.src[q] == '-' && p.blankz(q+1):
			v, li, ok = p.sequence(li, q-ln.start)
		default:
			if _, _, isKey := p.keyEnd(ln, q); isKey {
				v, li, ok = p.mapping(li, q-ln.start)
			} else {
				v, ok = p.inline(ln, q)
				li++
				if ok && li < len(p.lines) && p.lines[li].indent > col {
					ok = false
				}
			}
		}
		if !ok {
			return nil, 0, false
		}
		p.stack = append(p.stack, v)
	}
	n.Content = p.content(mark)
	return n, li, true
}

// nested reads the block collection that starts on content line li, deeper
// than the column of its parent.
func (p *fastParser) nested(li int) (*yaml.Node, int, bool) {
	ln := p.lines[li]
	pos := ln.start + ln.indent
	if p.src[pos] == '-' && p.blankz(pos+1) {
		return p.sequence(li, ln.indent)
	}
	if _, _, isKey := p.keyEnd(ln, pos); isKey {
		return p.mapping(li, ln.indent)
	}
	return nil, 0, false
}

// keyEnd finds the block mapping key starting at pos: the end of its text
// and the offset after its ':'. isKey is false when the line holds no key
// there (or one outside the subset).
func (p *fastParser) keyEnd(ln fastLine, pos int) (end, after int, isKey bool) {
	s := p.src
	switch c := s[pos]; c {
	case '"', '\'':
		_, e, ok := p.quotedValue(ln, pos)
		if !ok {
			return 0, 0, false
		}
		j := p.skipSpaces(ln, e)
		if j < ln.end && s[j] == ':' && p.blankz(j+1) && j-pos < 1000 {
			return e, j + 1, true
		}
		return 0, 0, false
	}
	if !p.plainStart(pos, false) {
		return 0, 0, false
	}
	for i := pos; i < ln.end; i++ {
		switch s[i] {
		case ':':
			if p.blankz(i + 1) {
				if i-pos >= 1000 {
					return 0, 0, false
				}
				e := i
				for e > pos && s[e-1] == ' ' {
					e--
				}
				return e, i + 1, true
			}
		case '#':
			if s[i-1] == ' ' {
				return 0, 0, false
			}
		}
	}
	return 0, 0, false
}

// key reads a block mapping key at pos.
func (p *fastParser) key(ln fastLine, pos int) (*yaml.Node, int, bool) {
	end, after, ok := p.keyEnd(ln, pos)
	if !ok {
		return nil, 0, false
	}
	if c := p.src[pos]; c == '"' || c == '\'' {
		n, _, ok := p.quoted(ln, pos)
		return n, after, ok
	}
	v := p.src[pos:end]
	return p.node(yaml.ScalarNode, resolveTag(v), v, ln.num, p.column(ln, pos)), after, true
}

// plainStart reports whether a plain scalar of the subset may start at i.
func (p *fastParser) plainStart(i int, flow bool) bool {
	switch p.src[i] {
	case ' ', '\n', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '-':
		if p.blankz(i + 1) {
			return false
		}
		if flow {
			switch p.src[i+1] {
			case ',', '[', ']', '{', '}', '?', ':', '#':
				return false
			}
		}
	}
	return true
}

// inline reads the value that fills the rest of a block line from pos: a
// flow collection, a quoted scalar or a plain scalar, with nothing after it
// but a comment.
func (p *fastParser) inline(ln fastLine, pos int) (*yaml.Node, bool) {
	s := p.src
	switch c := s[pos]; c {
	case '[', '{':
		n, end, ok := p.flow(ln, pos)
		return n, ok && p.restEmpty(ln, end)
	case '"', '\'':
		n, end, ok := p.quoted(ln, pos)
		return n, ok && p.restEmpty(ln, end)
	}
	if !p.plainStart(pos, false) {
		return nil, false
	}
	end := ln.end
	for i := pos; i < ln.end; i++ {
		c := s[i]
		if c == ':' && p.blankz(i+1) {
			return nil, false // a mapping where a value belongs: an error
		}
		if c == '#' && s[i-1] == ' ' {
			end = i
			break
		}
	}
	for end > pos && s[end-1] == ' ' {
		end--
	}
	v := s[pos:end]
	return p.node(yaml.ScalarNode, resolveTag(v), v, ln.num, p.column(ln, pos)), true
}

// flow reads a flow collection that starts at pos and ends on the same
// line; end is the offset after its closing bracket.
func (p *fastParser) flow(ln fastLine, pos int) (n *yaml.Node, end int, ok bool) {
	if !p.enter() {
		return nil, 0, false
	}
	defer func() { p.depth-- }()
	s := p.src
	closing := byte(']')
	if s[pos] == '{' {
		closing = '}'
		n = p.node(yaml.MappingNode, "!!map", "", ln.num, p.column(ln, pos))
	} else {
		n = p.node(yaml.SequenceNode, "!!seq", "", ln.num, p.column(ln, pos))
	}
	n.Style = yaml.FlowStyle
	mark := len(p.stack)
	i := p.skipSpaces(ln, pos+1)
	if i < ln.end && s[i] == closing {
		return n, i + 1, true
	}
	for {
		if i >= ln.end {
			return nil, 0, false
		}
		if closing == '}' {
			start := i
			k, e, ok := p.flowScalar(ln, i, true)
			if !ok {
				return nil, 0, false
			}
			p.stack = append(p.stack, k)
			i = p.skipSpaces(ln, e)
			if i >= ln.end || s[i] != ':' || !p.blankz(i+1) || i-start >= 1000 {
				return nil, 0, false
			}
			i = p.skipSpaces(ln, i+1)
			if i >= ln.end {
				return nil, 0, false
			}
		}
		var v *yaml.Node
		var e int
		switch s[i] {
		case '[', '{':
			v, e, ok = p.flow(ln, i)
		default:
			v, e, ok = p.flowScalar(ln, i, false)
		}
		if !ok {
			return nil, 0, false
		}
		p.stack = append(p.stack, v)
		i = p.skipSpaces(ln, e)
		if i >= ln.end {
			return nil, 0, false
		}
		if s[i] == closing {
			n.Content = p.content(mark)
			return n, i + 1, true
		}
		if s[i] != ',' {
			return nil, 0, false
		}
		i = p.skipSpaces(ln, i+1)
		if i < ln.end && s[i] == closing {
			return nil, 0, false // a trailing comma
		}
	}
}

// flowScalar reads a quoted or plain scalar inside a flow collection. A
// plain key ends before ": "; a plain value before ',', ']' or '}'. A ':'
// inside a plain scalar (prowler:aws:check) is part of it.
func (p *fastParser) flowScalar(ln fastLine, pos int, key bool) (*yaml.Node, int, bool) {
	s := p.src
	if c := s[pos]; c == '"' || c == '\'' {
		return p.quoted(ln, pos)
	}
	if !p.plainStart(pos, true) {
		return nil, 0, false
	}
	i := pos
scan:
	for ; i < ln.end; i++ {
		switch s[i] {
		case ',', ']', '}':
			break scan
		case ':':
			if p.blankz(i + 1) {
				if key {
					break scan
				}
				return nil, 0, false // a single-pair mapping in a list
			}
			switch p.src[i+1] {
			case ',', '[', ']', '{', '}', '#':
				return nil, 0, false
			}
		case '[', '{', '?':
			return nil, 0, false
		case '#':
			if s[i-1] == ' ' {
				return nil, 0, false
			}
		}
	}
	if i >= ln.end {
		return nil, 0, false
	}
	end := i
	for end > pos && s[end-1] == ' ' {
		end--
	}
	v := s[pos:end]
	return p.node(yaml.ScalarNode, resolveTag(v), v, ln.num, p.column(ln, pos)), end, true
}

// quoted reads a single- or double-quoted scalar that ends on its line;
// end is the offset after the closing quote.
func (p *fastParser) quoted(ln fastLine, pos int) (*yaml.Node, int, bool) {
	v, end, ok := p.quotedValue(ln, pos)
	if !ok {
		return nil, 0, false
	}
	n := p.node(yaml.ScalarNode, "!!str", v, ln.num, p.column(ln, pos))
	n.Style = yaml.SingleQuotedStyle
	if p.src[pos] == '"' {
		n.Style = yaml.DoubleQuotedStyle
	}
	return n, end, true
}

// quotedValue returns the value of the quoted scalar at pos. Without
// escapes it is a piece of the source.
func (p *fastParser) quotedValue(ln fastLine, pos int) (v string, end int, ok bool) {
	s := p.src
	i := pos + 1
	if s[pos] == '\'' {
		for i < ln.end && s[i] != '\'' {
			i++
		}
		if i >= ln.end {
			return "", 0, false
		}
		if i+1 < ln.end && s[i+1] == '\'' {
			return p.unquoteSingle(ln, pos)
		}
		return s[pos+1 : i], i + 1, true
	}
	for i < ln.end && s[i] != '"' && s[i] != '\\' {
		i++
	}
	if i >= ln.end {
		return "", 0, false
	}
	if s[i] == '"' {
		return s[pos+1 : i], i + 1, true
	}
	return p.unquoteDouble(ln, pos)
}

func (p *fastParser) unquoteSingle(ln fastLine, pos int) (string, int, bool) {
	s := p.src
	var b strings.Builder
	for i := pos + 1; i < ln.end; i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < ln.end && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), i + 1, true
	}
	return "", 0, false
}

var doubleEscapes = [256]string{
	'0': "\x00", 'a': "\a", 'b': "\b", 't': "\t", 'n': "\n", 'v': "\v", 'f': "\f", 'r': "\r",
	'e': "\x1b", ' ': " ", '"': "\"", '\'': "'", '\\': "\\",
	'N': "\u0085", '_': "\u00a0", 'L': "\u2028", 'P': "\u2029",
}

func (p *fastParser) unquoteDouble(ln fastLine, pos int) (string, int, bool) {
	s := p.src
	var b strings.Builder
	for i := pos + 1; i < ln.end; i++ {
		c := s[i]
		if c == '"' {
			return b.String(), i + 1, true
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= ln.end {
			return "", 0, false // an escaped line break
		}
		e := s[i+1]
		if r := doubleEscapes[e]; r != "" {
			b.WriteString(r)
			i++
			continue
		}
		digits := 0
		switch e {
		case 'x':
			digits = 2
		case 'u':
			digits = 4
		case 'U':
			digits = 8
		}
		if digits == 0 || i+2+digits > ln.end {
			return "", 0, false
		}
		r := 0
		for _, h := range []byte(s[i+2 : i+2+digits]) {
			switch {
			case h >= '0' && h <= '9':
				r = r<<4 + int(h-'0')
			case h >= 'a' && h <= 'f':
				r = r<<4 + int(h-'a'+10)
			case h >= 'A' && h <= 'F':
				r = r<<4 + int(h-'A'+10)
			default:
				return "", 0, false
			}
		}
		if r >= 0xD800 && r <= 0xDFFF || r > 0x10FFFF {
			return "", 0, false
		}
		b.WriteRune(rune(r))
		i += 1 + digits
	}
	return "", 0, false
}
