/*
 * Exceptions as the rest of the kernel sees them. The arch entry stubs build
 * a struct pt_regs and call trap_dispatch(); probe code plugs into #BP and
 * #DB through trap_hook_register(); what nobody claims is a fault report.
 */
#ifndef KERNEL_TRAPS_H
#define KERNEL_TRAPS_H
#include "kernel/arch.h"
#include "kernel/compiler.h"

enum {
	VEC_DE = 0, VEC_DB = 1, VEC_NMI = 2, VEC_BP = 3, VEC_OF = 4, VEC_BR = 5,
	VEC_UD = 6, VEC_NM = 7, VEC_DF = 8, VEC_TS = 10, VEC_NP = 11, VEC_SS = 12,
	VEC_GP = 13, VEC_PF = 14, VEC_MF = 16, VEC_AC = 17, VEC_MC = 18, VEC_XM = 19,
	VEC_VE = 20, VEC_CP = 21,
	NR_EXCEPTIONS = 32,
};

/* pt_regs.vector of a frame built by call_to_exception_trampoline. */
#define PT_VECTOR_CALL	0x100

/*
 * A hook on #BP or #DB. handler returns 1 when the trap was its own (it has
 * then set regs->ip and whatever else to resume), 0 to pass it on. Hooks are
 * tried in registration order.
 */
struct trap_hook {
	int (*handler)(struct pt_regs *regs);
	struct trap_hook *next;
};

void trap_hook_register(int vector, struct trap_hook *hook);
void trap_hook_unregister(int vector, struct trap_hook *hook);

/* Called by the arch entry code for every exception. */
void trap_dispatch(struct pt_regs *regs);

const char *trap_name(unsigned long vector);

/*
 * Emulation helpers for int3 handlers (the entry code leaves a gap below the
 * interrupted stack so a push cannot overwrite the exception frame).
 */
void int3_emulate_push(struct pt_regs *regs, unsigned long value);
void int3_emulate_jmp(struct pt_regs *regs, unsigned long target);
void int3_emulate_call(struct pt_regs *regs, unsigned long target, unsigned long return_to);

#endif
