/*
 * Compiled to assembly only: each DEFINE leaves a "->NAME value" marker that
 * tools/gen-asm-offsets.sh turns into build/<arch>/asm-offsets.h.
 */
#include <stddef.h>
#include "arch_defs.h"
#include "kernel/arch.h"
#include "kernel/traps.h"

#define DEFINE(sym, val) asm volatile("\n->" #sym " %0" : : "i"(val))
#define OFFSET(sym, member) DEFINE(sym, offsetof(struct pt_regs, member))
#define JB(sym, member) DEFINE(sym, offsetof(struct arch_jmp_buf, member))

void asm_offsets(void);
void asm_offsets(void)
{
	OFFSET(PT_R15, r15); OFFSET(PT_R14, r14); OFFSET(PT_R13, r13);
	OFFSET(PT_R12, r12); OFFSET(PT_BP, bp); OFFSET(PT_BX, bx);
	OFFSET(PT_R11, r11); OFFSET(PT_R10, r10); OFFSET(PT_R9, r9);
	OFFSET(PT_R8, r8); OFFSET(PT_AX, ax); OFFSET(PT_CX, cx);
	OFFSET(PT_DX, dx); OFFSET(PT_SI, si); OFFSET(PT_DI, di);
	OFFSET(PT_VECTOR, vector); OFFSET(PT_ERROR_CODE, error_code);
	OFFSET(PT_IP, ip); OFFSET(PT_CS, cs); OFFSET(PT_FLAGS, flags);
	OFFSET(PT_SP, sp); OFFSET(PT_SS, ss);
	DEFINE(PT_SIZE, sizeof(struct pt_regs));
	DEFINE(PT_VECTOR_CALL, PT_VECTOR_CALL);
	DEFINE(TRAMPOLINE_RESTORE_FLAGS, TRAMPOLINE_RESTORE_FLAGS);
	/* struct arch_jmp_buf (setjmp.S) */
	JB(JB_BX, bx); JB(JB_BP, bp); JB(JB_R12, r12);
	JB(JB_R13, r13); JB(JB_R14, r14); JB(JB_R15, r15);
	JB(JB_SP, sp); JB(JB_IP, ip);
}
