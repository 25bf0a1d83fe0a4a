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
 *
 * #BP: regs->ip is exactly as the CPU left it, the address AFTER the int3
 * byte (the int3 itself is at regs->ip - 1). A hook that claims the trap
 * sets regs->ip to where execution resumes. It may also change regs->sp:
 * lowering it by up to 4 words (int3_emulate_push/call) is safe on both
 * arches, since the entry code keeps a gap below the interrupted stack.
 * #DB: regs->ip is where execution resumes (single-step: after the step).
 */
struct trap_hook {
	int (*handler)(struct pt_regs *regs);
	struct trap_hook *next;
};

/*
 * Only VEC_BP and VEC_DB take hooks. Returns 0, or -1 (reported, nothing
 * changed) for another vector, a NULL hook or one already registered.
 */
int trap_hook_register(int vector, struct trap_hook *hook);
/* Returns 0, or -1 (reported) when hook is not registered on vector. */
int trap_hook_unregister(int vector, struct trap_hook *hook);

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

/*
 * Fault report (kernel/fault.c): vector, decoded error code, CR2, every
 * register and a symbolized backtrace on all consoles; then halt, or exit
 * QEMU with failure when kopt.qemu_exit. A fault while reporting prints one
 * line and stops.
 */
void fault_report(struct pt_regs *regs) __noreturn;

/* What fault_catch saw. cr2 is 0 unless vector is VEC_PF. */
struct fault_record {
	unsigned long vector, error_code, cr2, ip;
};

/*
 * Run fn(arg). If it faults (any exception no hook claims) return 1 with
 * rec filled in, leaving fn's frames behind; else return 0. Nests. This is
 * how self-tests provoke faults and how a probe handler's fault is pinned
 * on its probe.
 */
int fault_catch(void (*fn)(void *), void *arg, struct fault_record *rec);
/* trap_dispatch: hand the fault to the innermost fault_catch; returns if none. */
void fault_catch_take(struct pt_regs *regs);

#endif
