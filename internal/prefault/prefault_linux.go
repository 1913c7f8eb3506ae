//go:build linux && (amd64 || arm64)

package prefault

import "unsafe"

// Implemented in assembly: raw system calls, so that the package needs
// neither syscall nor os, whose initializers would run first.
func madvise(addr, n, advice uintptr) (errno uintptr)
func mincore(addr, n uintptr, vec *byte) (errno uintptr)

// segments returns the bounds the linker gives the executable's text, its
// read-only data and its initialized data.
func segments() (text, etext, rodata, data, edata uintptr)

// enomem is the errno of a range that runs into unmapped pages.
const enomem = 12

const (
	pageSize       = 4096
	populateRead   = 22 // MADV_POPULATE_READ, Linux 5.14
	populateWrite  = 23 // MADV_POPULATE_WRITE, Linux 5.14
	heapBytes      = 2 << 20
	heapChunk      = 256 << 10
	residentNeeded = 0.9
)

// Populated counts the bytes each step mapped, for tests and diagnostics.
var Populated struct {
	Image, Data, Heap uintptr
	// Skipped is set when the executable was not in the page cache.
	Skipped bool
}

// probe is the first heap object of the process's own packages: the heap
// they use next is at and above its page.
var probe *[64]byte

// vec receives mincore's residency bytes, a chunk of pages at a time.
var vec [4096]byte

func init() {
	text, etext, rodata, data, edata := segments()
	start := text &^ (pageSize - 1)
	end := data &^ (pageSize - 1)
	if !resident(start, roundUp(etext)) {
		Populated.Skipped = true
		return
	}
	// Text and read-only data, each up to the next segment. Where the
	// linker aligns segments to more than a page (64 KB on arm64), a
	// segment can end before the next begins: madvise then maps the whole
	// segment and fails with ENOMEM at the unmapped pages after it.
	for _, r := range [][2]uintptr{{start, rodata &^ (pageSize - 1)}, {rodata &^ (pageSize - 1), end}} {
		if errno := madvise(r[0], r[1]-r[0], populateRead); errno == 0 || errno == enomem {
			Populated.Image += r[1] - r[0]
		}
	}
	if n := roundUp(edata) - end; madvise(end, n, populateRead) == 0 {
		Populated.Data = n
	}
	probe = new([64]byte)
	p := uintptr(unsafe.Pointer(probe)) &^ (pageSize - 1)
	// The runtime maps the heap in pieces of a few megabytes; madvise
	// fails past the end of the mapped part, so a failed step is retried
	// halved, down to a page, rather than the bounds read from the kernel.
	for a, step := p, uintptr(heapChunk); a < p+heapBytes && step >= pageSize; {
		if madvise(a, step, populateWrite) != 0 {
			step /= 2
			continue
		}
		a += step
		Populated.Heap += step
	}
}

// resident reports whether at least residentNeeded of the pages from start
// to end, all mapped, are in the page cache.
func resident(start, end uintptr) bool {
	var in, all uintptr
	for a := start; a < end; {
		n := min(end-a, uintptr(len(vec))*pageSize)
		if mincore(a, n, &vec[0]) != 0 {
			return false
		}
		pages := (n + pageSize - 1) / pageSize
		for _, b := range vec[:pages] {
			in += uintptr(b & 1)
		}
		all += pages
		a += n
	}
	return all > 0 && float64(in) >= residentNeeded*float64(all)
}

func roundUp(a uintptr) uintptr { return (a + pageSize - 1) &^ (pageSize - 1) }
