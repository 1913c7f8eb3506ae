package yamlguard

import (
	"syscall"
	"unsafe"
)

// hugePages asks Linux to back the 2 MiB-aligned part of b with huge pages
// when it is first written (transparent huge pages in madvise mode, the
// default of many distributions): the node slab of a large file is written
// from start to end at once, and faulting it in 4 KiB pages is a third of
// the time of reading it on a virtual machine. Nothing happens when the
// kernel refuses.
func hugePages(b []byte) {
	const huge = 2 << 20
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	first := (start + huge - 1) &^ (huge - 1)
	end := (start + uintptr(len(b))) &^ (huge - 1)
	if end <= first {
		return
	}
	_ = syscall.Madvise(b[first-start:end-start], syscall.MADV_HUGEPAGE)
}
