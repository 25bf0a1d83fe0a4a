/*
 * Backtraces by frame pointers: each frame's bp points at [saved bp, return
 * address]. Entry code that calls C with a struct pt_regs on the stack sets
 * bp = regs + 1 first (odd: no real frame pointer is), so the walk goes on
 * through the exception (or trampoline) frame into the interrupted code.
 */
#ifndef KERNEL_UNWIND_H
#define KERNEL_UNWIND_H
#include "kernel/arch.h"

#define UNWIND_MAX_DEPTH 32

/*
 * Called for each frame, innermost first. regs is non-NULL when ip comes
 * from a pt_regs frame (regs->ip of an exception or trampoline). Return
 * nonzero to stop the walk.
 */
typedef int (*unwind_fn)(unsigned long ip, const struct pt_regs *regs, void *ctx);

/* Walk from ip (the first frame) and bp (its frame pointer). Returns the frames seen. */
int unwind_walk(unsigned long ip, unsigned long bp, unwind_fn fn, void *ctx);
/* Print the walk, one symbolized line per frame, on all consoles. */
void unwind_print(unsigned long ip, unsigned long bp);
/* Print the backtrace of the caller. */
void dump_stack(void);

/*
 * Stacks the walk may read: the boot stack is always known; arch code adds
 * its IST / #DF stacks. Returns 1 and the stack's [lo, hi) when addr lies in one.
 */
void unwind_register_stack(unsigned long lo, unsigned long hi);
int unwind_stack_bounds(unsigned long addr, unsigned long *lo, unsigned long *hi);

#endif
