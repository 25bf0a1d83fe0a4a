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
	OFFSET(PT_BX, bx); OFFSET(PT_CX, cx); OFFSET(PT_DX, dx);
	OFFSET(PT_SI, si); OFFSET(PT_DI, di); OFFSET(PT_BP, bp);
	OFFSET(PT_AX, ax); OFFSET(PT_DS, ds); OFFSET(PT_ES, es);
	OFFSET(PT_FS, fs); OFFSET(PT_GS, gs);
	OFFSET(PT_VECTOR, vector); OFFSET(PT_ERROR_CODE, error_code);
	OFFSET(PT_IP, ip); OFFSET(PT_CS, cs); OFFSET(PT_FLAGS, flags);
	OFFSET(PT_SP, sp); OFFSET(PT_SS, ss);
	DEFINE(PT_SIZE, sizeof(struct pt_regs));
	DEFINE(PT_VECTOR_CALL, PT_VECTOR_CALL);
	DEFINE(TRAMPOLINE_RESTORE_FLAGS, TRAMPOLINE_RESTORE_FLAGS);
	/* struct arch_jmp_buf (setjmp.S) */
	JB(JB_BX, bx); JB(JB_SI, si); JB(JB_DI, di);
	JB(JB_BP, bp); JB(JB_SP, sp); JB(JB_IP, ip);
}
