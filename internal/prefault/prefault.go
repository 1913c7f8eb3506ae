// Package prefault maps the executable's pages and the first megabytes of
// the Go heap in a few system calls when the process starts, instead of one
// page fault at a time as they are first touched.
//
// A command such as `csmm score` runs for a few milliseconds, and most of
// that is page faults: about 680 of them, as the runtime, the package
// initializers of a 36 MB binary and the command first touch their code,
// read-only data and heap. On a virtual machine a fault is expensive (15 to
// 30 µs where the host shadows the guest's page tables), and one madvise
// MADV_POPULATE_READ over the text and read-only data, plus one
// MADV_POPULATE_WRITE over the heap the command is about to use, cost less
// than the faults they replace: 680 faults become about 380, and `score`
// takes 21 ms instead of 25 (bench/README.md, "Pages mapped in advance").
// On real hardware faults are cheap and so are these calls. The cost is
// resident memory: the executable's pages count in RSS once mapped.
//
// Importing the package for its side effect does the work in its init,
// which runs before almost every other package's: the package imports
// nothing that has an init of its own. It populates only what is already in
// the page cache (mincore says so), so a cold start does not read the whole
// executable from disk. Kernels before 5.14 refuse the advice (EINVAL) and
// nothing happens. Only linux/amd64 and linux/arm64 do anything; the
// package is empty elsewhere.
package prefault
