/*
 * Return hooks (kretprobe-like): an entry handler and a return handler for a
 * function, with per-call private data. Each rethook is one user of the
 * shared shadow stack (kernel/probes/shadow_stack.h), entered through the
 * function's fentry site, or, for a function without one (asm, notrace
 * files), through a kprobe on its first instruction. There is no instance pool to run out of: a call
 * is missed only when the shadow stack itself is full (counted in nmissed).
 */
#ifndef KERNEL_RETHOOK_H
#define KERNEL_RETHOOK_H
#include "kernel/probes/kprobes.h"
#include "kernel/probes/shadow_stack.h"

struct rethook {
	const char *symbol;		/* function to hook ... */
	unsigned long addr;		/* ... or its address (used when symbol is NULL) */
	/*
	 * Optional, at entry (regs as at the function's first instruction;
	 * arguments in registers/stack as the ABI puts them). Return nonzero to
	 * skip this call's return handler.
	 */
	int (*entry_handler)(struct rethook *rh, struct pt_regs *regs, void *data);
	/* At return: regs->ax is the return value, regs->ip the return address. */
	void (*handler)(struct rethook *rh, struct pt_regs *regs, void *data);
	unsigned data_size;		/* bytes of per-call data, at most SHADOW_DATA_WORDS words */
	int regs_const;			/* the handlers change no register in regs */
	unsigned long nhit;		/* entries seen */
	unsigned long nmissed;		/* calls whose return could not be hooked */
	/* owned by rethook.c */
	struct shadow_user user;
	struct kprobe entry_kprobe;	/* the entry when there is no fentry site */
	int registered;
};

int rethook_register(struct rethook *rh);
int rethook_unregister(struct rethook *rh);

#endif
