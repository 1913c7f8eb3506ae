#include "textflag.h"

// func madvise(addr, n, advice uintptr) (errno uintptr)
TEXT ·madvise(SB),NOSPLIT,$0-32
	MOVQ	addr+0(FP), DI
	MOVQ	n+8(FP), SI
	MOVQ	advice+16(FP), DX
	MOVQ	$28, AX // SYS_madvise
	SYSCALL
	NEGQ	AX // 0 or -errno
	MOVQ	AX, errno+24(FP)
	RET

// func mincore(addr, n uintptr, vec *byte) (errno uintptr)
TEXT ·mincore(SB),NOSPLIT,$0-32
	MOVQ	addr+0(FP), DI
	MOVQ	n+8(FP), SI
	MOVQ	vec+16(FP), DX
	MOVQ	$27, AX // SYS_mincore
	SYSCALL
	NEGQ	AX
	MOVQ	AX, errno+24(FP)
	RET

// func segments() (text, etext, rodata, data, edata uintptr)
TEXT ·segments(SB),NOSPLIT,$0-40
	MOVQ	$runtime·text(SB), AX
	MOVQ	AX, text+0(FP)
	MOVQ	$runtime·etext(SB), AX
	MOVQ	AX, etext+8(FP)
	MOVQ	$runtime·rodata(SB), AX
	MOVQ	AX, rodata+16(FP)
	MOVQ	$runtime·noptrdata(SB), AX
	MOVQ	AX, data+24(FP)
	MOVQ	$runtime·edata(SB), AX
	MOVQ	AX, edata+32(FP)
	RET
