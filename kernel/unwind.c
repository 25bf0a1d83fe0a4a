/* The frame-pointer unwinder; see unwind.h. */
#include "kernel/unwind.h"
#include "kernel/dev/console.h"
#include "kernel/probes/fentry.h"
#include "kernel/kallsyms.h"
#include "kernel/probes/shadow_stack.h"
#include "kernel/traps.h"

#define WORD		sizeof(unsigned long)
#define MAX_STACKS	(8 + 4 * 64)	/* 64 CPUs: a stack and up to 3 exception stacks each */

struct stack_range {
	unsigned long lo, hi;
};

static struct stack_range stacks[MAX_STACKS];
static int nstacks;

/* entry code and trampolines live here (kernel.ld) */
extern const char __noprobe_start[], __noprobe_end[];

void unwind_register_stack(unsigned long lo, unsigned long hi)
{
	if (nstacks == MAX_STACKS || lo >= hi) {
		printk("unwind: cannot register stack [%#lx, %#lx)\n", lo, hi);
		return;
	}
	stacks[nstacks++] = (struct stack_range){ lo, hi };
}

__noprobe int unwind_stack_bounds(unsigned long addr, unsigned long *lo, unsigned long *hi)
{
	unsigned long top = (unsigned long)boot_stack_top;

	if (addr >= top - BOOT_STACK_SIZE && addr < top) {
		*lo = top - BOOT_STACK_SIZE;
		*hi = top;
		return 1;
	}
	for (int i = 0; i < nstacks; i++) {
		if (addr >= stacks[i].lo && addr < stacks[i].hi) {
			*lo = stacks[i].lo;
			*hi = stacks[i].hi;
			return 1;
		}
	}
	return 0;
}

/* [p, p + len) word-aligned and inside one known stack. */
static __noprobe int on_stack(unsigned long p, unsigned long len)
{
	unsigned long lo, hi;

	return !(p & (WORD - 1)) && unwind_stack_bounds(p, &lo, &hi) && len <= hi - p;
}

/* A saved bp of regs + 1 with a return address into entry code: a pt_regs frame. */
static __noprobe const struct pt_regs *regs_frame(unsigned long saved_bp, unsigned long ret)
{
	unsigned long regs = saved_bp - 1;

	if (!(saved_bp & 1) || ret < (unsigned long)__noprobe_start || ret >= (unsigned long)__noprobe_end)
		return NULL;
	return on_stack(regs, sizeof(struct pt_regs)) ? (const struct pt_regs *)regs : NULL;
}

/*
 * A pt_regs taken at a function's entry (an fentry hook, or a probe on its
 * first instruction) is older than the function's own frame: its return
 * address is still on top of the stack, at regs->sp, and regs->bp is the
 * caller's frame.
 */
static __noprobe int at_function_entry(const struct pt_regs *regs)
{
	unsigned long off;

	if (!sym_lookup(regs->ip, &off, NULL))
		return 0;
	return off == 0 || (off == FENTRY_CALL_SIZE && fentry_site_exists(regs->ip - off));
}

__noprobe int unwind_walk(unsigned long ip, unsigned long bp, unwind_fn fn, void *ctx)
{
	int n = 1;

	/* The first ip is often our caller's return address: it may be hijacked too. */
	ip = shadow_stack_original(ip, 0);
	if (fn(ip, NULL, ctx))
		return n;
	while (n < UNWIND_MAX_DEPTH && on_stack(bp, 2 * WORD)) {
		unsigned long saved_bp = ((unsigned long *)bp)[0];
		unsigned long ret = ((unsigned long *)bp)[1];
		const struct pt_regs *regs = regs_frame(saved_bp, ret);

		if (regs) {
			/* Through the exception frame: the interrupted code may be on another stack. */
			n++;
			if (fn(regs->ip, regs, ctx))
				break;
			bp = regs->bp;
			if (at_function_entry(regs) && on_stack(regs->sp, WORD)) {
				unsigned long caller = *(unsigned long *)regs->sp;

				n++;
				if (fn(shadow_stack_original(caller, regs->sp), NULL, ctx))
					break;
			}
			continue;
		}
		/* A return hijacked by a return hook: show where it really returns. */
		ret = shadow_stack_original(ret, bp + WORD);
		if (!ret)
			break;
		n++;
		if (fn(ret, NULL, ctx))
			break;
		/* Frames get older upwards: a bp that does not grow is garbage (or 0: the end). */
		if (saved_bp <= bp)
			break;
		bp = saved_bp;
	}
	return n;
}

static __noprobe int print_frame(unsigned long ip, const struct pt_regs *regs, void *ctx)
{
	char buf[128];

	(void)ctx;
	if (regs && regs->vector == PT_VECTOR_CALL)
		printk("  <trampoline frame>\n");
	else if (regs)
		printk("  <exception vector %lu: %s>\n", regs->vector, trap_name(regs->vector));
	sym_format(buf, sizeof(buf), ip);
	printk("  [<%0*lx>] %s\n", (int)(2 * WORD), ip, buf);
	return 0;
}

__noprobe void unwind_print(unsigned long ip, unsigned long bp)
{
	unwind_walk(ip, bp, print_frame, NULL);
}

__noprobe __noinline void dump_stack(void)
{
	/* start at our caller: its ip is our return address, its bp our saved bp */
	unwind_print((unsigned long)__builtin_return_address(0), *(unsigned long *)__builtin_frame_address(0));
}
