#include "textflag.h"

// func madvise(addr, n, advice uintptr) (errno uintptr)
TEXT ·madvise(SB),NOSPLIT,$0-32
	MOVD	addr+0(FP), R0
	MOVD	n+8(FP), R1
	MOVD	advice+16(FP), R2
	MOVD	$233, R8 // SYS_madvise
	SVC
	NEG	R0, R0 // 0 or -errno
	MOVD	R0, errno+24(FP)
	RET

// func mincore(addr, n uintptr, vec *byte) (errno uintptr)
TEXT ·mincore(SB),NOSPLIT,$0-32
	MOVD	addr+0(FP), R0
	MOVD	n+8(FP), R1
	MOVD	vec+16(FP), R2
	MOVD	$232, R8 // SYS_mincore
	SVC
	NEG	R0, R0
	MOVD	R0, errno+24(FP)
	RET

// func segments() (text, etext, rodata, data, edata uintptr)
TEXT ·segments(SB),NOSPLIT,$0-40
	MOVD	$runtime·text(SB), R0
	MOVD	R0, text+0(FP)
	MOVD	$runtime·etext(SB), R0
	MOVD	R0, etext+8(FP)
	MOVD	$runtime·rodata(SB), R0
	MOVD	R0, rodata+16(FP)
	MOVD	$runtime·noptrdata(SB), R0
	MOVD	R0, data+24(FP)
	MOVD	$runtime·edata(SB), R0
	MOVD	R0, edata+32(FP)
	RET
