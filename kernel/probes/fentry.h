/*
 * fentry hooks. The kernel is built with -pg -mfentry -mrecord-mcount: every
 * traceable function starts with `call __fentry__`, and __mcount_loc lists
 * those sites. At boot each site becomes a 5-byte nop. A site with users is
 * patched to `call` its own stub (fentry_callers, fentry_stub.S), which
 * enters the shared call_to_exception_trampoline with the site as the
 * descriptor: the site's handler runs with no lookup.
 *
 * Users are ftrace_ops (callbacks with full pt_regs, several per function,
 * chosen by symbol glob) and shadow-stack users (return hooks and the
 * function-graph tracer, see kernel/probes/shadow_stack.h).
 */
#ifndef KERNEL_FENTRY_H
#define KERNEL_FENTRY_H
#include <stdint.h>
#include "kernel/arch.h"
#include "kernel/smp/percpu.h"

#define FENTRY_CALL_SIZE 5

struct ftrace_ops;

/*
 * ip: the traced function (its fentry site); parent_ip: its return address.
 * regs: the full register frame at function entry; regs->ip is already
 * past the site, regs->sp points at the return address. A callback may
 * change registers (not regs->sp).
 */
typedef void (*ftrace_func_t)(unsigned long ip, unsigned long parent_ip,
			      struct ftrace_ops *ops, struct pt_regs *regs);

struct ftrace_ops {
	ftrace_func_t func;
	const char *filter;	/* symbol glob; NULL means every traceable function */
	void *private;
	/*
	 * Set when func changes no register in regs (regs->ip included): the
	 * trampoline then restores only what C clobbers (TRAMPOLINE_CLEAN_RET).
	 */
	int regs_const;
	unsigned long hits;	/* callbacks made */
	/* owned by fentry.c */
	unsigned long nr_sites;	/* functions this ops is attached to */
	int registered;
};

void ftrace_init(void);	/* nop out every site; called once at boot */

/*
 * Attach ops to every site whose function matches ops->filter. These calls
 * are refused (-EBUSY) from inside a hook callback.
 */
int ftrace_ops_register(struct ftrace_ops *ops);
/* Attach ops to the one function at addr (a function start with a site). */
int ftrace_ops_register_ip(struct ftrace_ops *ops, unsigned long addr);
int ftrace_ops_unregister(struct ftrace_ops *ops);

/* Shadow-stack users (bit numbers) wanting entry/return of a function. */
int fentry_add_shadow_user(unsigned long addr, unsigned bit);
void fentry_remove_shadow_user(unsigned long addr, unsigned bit);

struct fentry_stats {
	unsigned long sites;		/* recorded call sites */
	unsigned long bad_sites;	/* sites whose bytes were not `call __fentry__` */
	unsigned long enabled;		/* sites patched to call their stubs */
	unsigned long recursion_misses;	/* hits while a hook was already running */
};
void fentry_get_stats(struct fentry_stats *s);

/*
 * The benchmark's trampoline_floor: enable the site at addr with no users
 * (stub -> trampoline -> a handler that only goes on), or disable it.
 * -EBUSY if the site has users.
 */
int fentry_set_floor(unsigned long addr, int on);

/* Is addr the start of a function with an fentry site? */
int fentry_site_exists(unsigned long addr);
/* Number of sites, and the i-th site's address (sorted). */
unsigned long fentry_site_count(void);
unsigned long fentry_site_addr(unsigned long i);
/* The i for which fentry_site_addr(i) == addr, or -1 (safe in a hook). */
long fentry_site_index(unsigned long addr);

/* Nonzero while any hook (fentry or return) is running on this CPU. */
DECLARE_PER_CPU(int, hook_active);

#endif
