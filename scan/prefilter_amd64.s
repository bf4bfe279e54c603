#include "textflag.h"

// func anchorMasks(buf []byte, masks []uint32)
// masks[i] gets bit k set when buf[32*i+k] is 'A', 'S', 'Q', 'U', 'k' or
// 'K', for the len(buf)/32 whole chunks of buf (len(masks) must be at
// least that). SSE2 only, which every amd64 CPU has.
TEXT ·anchorMasks(SB), NOSPLIT, $0-48
	MOVQ buf_base+0(FP), SI
	MOVQ buf_len+8(FP), CX
	MOVQ masks_base+24(FP), DI
	SHRQ $5, CX

	MOVL $0x41414141, AX // 'A'
	MOVQ AX, X8
	PSHUFD $0, X8, X8
	MOVL $0x53535353, AX // 'S'
	MOVQ AX, X9
	PSHUFD $0, X9, X9
	MOVL $0x51515151, AX // 'Q'
	MOVQ AX, X10
	PSHUFD $0, X10, X10
	MOVL $0x55555555, AX // 'U'
	MOVQ AX, X11
	PSHUFD $0, X11, X11
	MOVL $0x6b6b6b6b, AX // 'k' (after OR 0x20, also 'K')
	MOVQ AX, X12
	PSHUFD $0, X12, X12
	MOVL $0x20202020, AX
	MOVQ AX, X13
	PSHUFD $0, X13, X13

loop:
	TESTQ CX, CX
	JZ    done
	MOVOU (SI), X0
	MOVOU 16(SI), X1

	MOVOU   X0, X2
	PCMPEQB X8, X2
	MOVOU   X0, X3
	PCMPEQB X9, X3
	POR     X3, X2
	MOVOU   X0, X3
	PCMPEQB X10, X3
	POR     X3, X2
	MOVOU   X0, X3
	PCMPEQB X11, X3
	POR     X3, X2
	POR     X13, X0
	PCMPEQB X12, X0
	POR     X0, X2
	PMOVMSKB X2, AX

	MOVOU   X1, X4
	PCMPEQB X8, X4
	MOVOU   X1, X5
	PCMPEQB X9, X5
	POR     X5, X4
	MOVOU   X1, X5
	PCMPEQB X10, X5
	POR     X5, X4
	MOVOU   X1, X5
	PCMPEQB X11, X5
	POR     X5, X4
	POR     X13, X1
	PCMPEQB X12, X1
	POR     X1, X4
	PMOVMSKB X4, BX

	SHLL $16, BX
	ORL  BX, AX
	MOVL AX, (DI)
	ADDQ $32, SI
	ADDQ $4, DI
	DECQ CX
	JMP  loop

done:
	RET
