//go:build linux && (amd64 || arm64)

package prefault

import (
	"bufio"
	"os"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// kernelAtLeast reports whether the running kernel's release is at least
// major.minor.
func kernelAtLeast(t *testing.T, major, minor int) bool {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		t.Fatal(err)
	}
	var b []byte
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		b = append(b, byte(c))
	}
	parts := strings.SplitN(string(b), ".", 3)
	maj, _ := strconv.Atoi(parts[0])
	mnr := 0
	if len(parts) > 1 {
		mnr, _ = strconv.Atoi(strings.TrimFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' }))
	}
	return maj > major || maj == major && mnr >= minor
}

// mapping returns the size and resident size, in kB, of the mapping of
// /proc/self/smaps that holds addr.
func mapping(t *testing.T, addr uintptr) (size, rss int) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if !strings.HasSuffix(fields[0], ":") { // a mapping's first line: lo-hi perms ...
			if in {
				return size, rss
			}
			lo, hi, _ := strings.Cut(fields[0], "-")
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("smaps: unexpected line %q", sc.Text())
			}
			in = uintptr(a) <= addr && addr < uintptr(b)
			continue
		}
		if in && len(fields) >= 2 {
			n, _ := strconv.Atoi(fields[1])
			switch fields[0] {
			case "Size:":
				size = n
			case "Rss:":
				rss = n
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if !in {
		t.Fatalf("no mapping holds %#x", addr)
	}
	return size, rss
}

func TestInitPopulatedTheExecutableAndHeap(t *testing.T) {
	if !kernelAtLeast(t, 5, 14) {
		if os.Getenv("CI") == "true" {
			t.Fatal("MADV_POPULATE_READ needs Linux 5.14: CI must run on a kernel that has it")
		}
		t.Skip("MADV_POPULATE_READ needs Linux 5.14")
	}
	if Populated.Skipped {
		t.Fatal("the test binary, just written, was not in the page cache")
	}
	text, etext, rodata, data, edata := segments()
	if !(text < etext && etext <= rodata && rodata < data && data < edata) {
		t.Fatalf("segments out of order: text %#x-%#x rodata %#x data %#x-%#x", text, etext, rodata, data, edata)
	}
	if Populated.Image != data&^(pageSize-1)-text&^(pageSize-1) {
		t.Errorf("image populated %d bytes, want the %d from text to data", Populated.Image, data-text)
	}
	// At least the probe's own page; how much more depends on where the
	// probe falls in the heap the runtime has mapped so far.
	if Populated.Heap < pageSize {
		t.Errorf("heap populated %d bytes, want at least a page", Populated.Heap)
	}
	// Every page of the text mapping is mapped, where faulting pages in one
	// by one maps only those that ran and their neighbours.
	pc := reflect.ValueOf(TestInitPopulatedTheExecutableAndHeap).Pointer()
	size, rss := mapping(t, pc)
	if rss != size {
		t.Errorf("text mapping: %d kB resident of %d kB", rss, size)
	}
	size, rss = mapping(t, uintptr(unsafe.Pointer(probe)))
	if rss*1024 < int(Populated.Heap) {
		t.Errorf("heap mapping: %d kB resident of %d kB, want at least the %d kB populated", rss, size, Populated.Heap/1024)
	}
}

func TestResident(t *testing.T) {
	const n = 64 * pageSize
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(b)
	start := uintptr(unsafe.Pointer(&b[0]))
	if resident(start, start+n) {
		t.Fatal("untouched anonymous pages reported resident")
	}
	for i := 0; i < n*8/10; i += pageSize {
		b[i] = 1
	}
	if resident(start, start+n) {
		t.Fatal("80% of the pages reported as the 90% needed")
	}
	for i := 0; i < n; i += pageSize {
		b[i] = 1
	}
	if !resident(start, start+n) {
		t.Fatal("touched pages reported not resident")
	}
	if madvise(start+1, pageSize, populateRead) == 0 {
		t.Fatal("madvise accepted an address that is not page-aligned")
	}
}
