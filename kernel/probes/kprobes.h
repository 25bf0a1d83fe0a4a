/*
 * kprobes: a probe on (almost) any instruction of kernel text. Registering
 * puts an int3 on the instruction's first byte; a hit runs the probe's
 * handlers, then the instruction itself, one of three ways:
 *
 *   emulated     relative call/jmp/jcc/loop/jcxz, ret [imm16], indirect
 *                call/jmp, push reg/imm, pushf/popf, cli/sti, nops: done
 *                on pt_regs in the #BP handler; no out-of-line copy.
 *   boosted      copied to an out-of-line slot (execmem) followed by a jmp
 *                back to the next instruction: one trap per hit. Used when
 *                no probe on the address has a post_handler.
 *   single-step  copied to the slot followed by an int3: a second trap runs
 *                the post_handlers. Used when some probe has a post_handler.
 *   ftrace       on an fentry site (a traced function's first instruction):
 *                no int3; an ftrace_ops there calls the handlers, the
 *                5-byte nop counting as the instruction.
 *   optimized    no trap at all: the int3 and the next 4 bytes become a
 *                `jmp` to a detour slot that enters the shared
 *                call_to_exception_trampoline, runs the handlers, then a
 *                copy of the displaced instructions and a jmp back (see
 *                kernel/probes/optprobes.c). By default every armed probe whose
 *                address qualifies is optimized, right after the change
 *                that allows it (registration, the last post_handler
 *                gone ...); kprobe_opt_status says why one is not. A
 *                post_handler, a disabled probe, or a new probe inside its
 *                5 bytes turns it back into its int3 probe first.
 *
 * RIP-relative operands are relocated for the slot (x86_64). Several probes
 * on one address share one int3 and one slot (a chain, in registration
 * order). Hits are found through a hash table keyed by address: the cost of
 * a hit does not depend on how many probes exist.
 *
 * Single CPU, no locks: call the API from normal kernel context or from a
 * probe handler, not from an interrupt handler.
 */
#ifndef KERNEL_KPROBES_H
#define KERNEL_KPROBES_H
#include <stddef.h>
#include "kernel/arch.h"

struct kprobe;
struct kprobe_site;

/*
 * Runs BEFORE the probed instruction, with regs->ip == the probed address
 * and every register as the instruction will see it. It may change
 * registers (they take effect before the instruction runs).
 *
 * Return 0: the instruction then runs (with the post_handlers after it).
 * Return nonzero ONLY after setting regs->ip to where execution must go
 * instead: the probed instruction is then NOT executed, no post_handler
 * runs, and the later probes of a chain on the same address are not called
 * (nor counted). Execution resumes at regs->ip with regs as left.
 *
 * The same holds on an optimized probe: the handlers see exactly the
 * registers an int3 hit would show (regs->ip the probed address, regs->sp
 * and flags those of the probed code) and the trampoline resumes at
 * regs->ip, so a redirect is honoured; the displaced instructions run (from
 * the detour's copy) only on return 0. Its handlers run with interrupts
 * off, as an int3 probe's do; regs->sp may be lowered by at most two words
 * there (four on an int3 probe). No redirect, from any probe, may land
 * inside an optimized probe's 5 bytes (bytes 1-4 hold its jmp's rel32).
 */
typedef int (*kprobe_pre_handler_t)(struct kprobe *p, struct pt_regs *regs);
/*
 * Runs AFTER the probed instruction: regs as the instruction left them,
 * regs->ip the next instruction to execute (a branch's target when taken).
 * Having one makes the probe single-stepped (or emulated), never boosted.
 */
typedef void (*kprobe_post_handler_t)(struct kprobe *p, struct pt_regs *regs);

struct kprobe {
	/* Where: symbol + offset, or (symbol NULL) addr + offset. */
	const char *symbol;
	unsigned long offset;
	unsigned long addr;		/* on success: the probed address (and, with
					   no symbol, offset 0: registering again
					   probes the same place) */
	kprobe_pre_handler_t pre_handler;	/* optional */
	kprobe_post_handler_t post_handler;	/* optional */
	void *data;			/* for the handlers */

	/* Counters, zeroed by kprobe_register. */
	unsigned long nhit;		/* hits that ran (or would run) pre_handler */
	unsigned long nmissed;		/* hits while a kprobe handler was running:
					   instruction executed, handlers skipped */
	/* What happened to it: "armed", "disabled", or why it was refused. */
	const char *status;

	/* owned by kprobes.c */
	struct kprobe *next;		/* on the same address */
	struct kprobe_site *site;	/* non-NULL while registered */
	int disabled;
};

/*
 * Register and arm p. Returns 0, or (with a printk line saying why, p->status
 * set, and NOT ONE byte of text changed):
 *   -EEXIST  p is already registered
 *   -ENOENT  unknown symbol
 *   -EFAULT  not in kernel text, or in the probe machinery (.text.noprobe,
 *            trampolines, execmem slots)
 *   -EINVAL  not an instruction boundary of its function (decoded from the
 *            function's start), undecodable, or an instruction that can
 *            neither run out of line nor be emulated (iret, int n, int3,
 *            hlt, privileged, segment loads, far transfers, syscall ...)
 *   -EBUSY   the byte there is an int3 that is not ours
 *   -ERANGE  a RIP-relative operand out of rel32 reach of the slot
 *   -ENOMEM
 */
int kprobe_register(struct kprobe *p);
/*
 * Disarm and forget p (-ENOENT if it is not registered). The original byte
 * is back when this returns; the slot is freed once no CPU can be inside it
 * (when called from a handler of the same address: at a later kprobe call;
 * so is an fentry site's ftrace_ops changed from one of its own handlers).
 */
int kprobe_unregister(struct kprobe *p);
/* A disabled probe is neither called nor counted; with none enabled on an
 * address its int3 is removed. 0, or -ENOENT if p is not registered. */
int kprobe_disable(struct kprobe *p);
int kprobe_enable(struct kprobe *p);

/*
 * How p's instruction runs: "boosted", "single-step", "emulated", "ftrace",
 * "optimized" ("-": not registered).
 */
const char *kprobe_kind(const struct kprobe *p);
/* "optimized", or why p's address is not ("-": not registered). */
const char *kprobe_opt_status(const struct kprobe *p);
/*
 * Optimize probes that qualify (on: the default) or never (off: every
 * optimized probe goes back to its int3 now). Turning it on acts on probes
 * registered, enabled or changed afterwards. Returns the previous setting.
 * Not from a probe handler.
 */
int kprobe_set_optimize(int on);
/*
 * The text [addr, addr + n) as it was before kprobes patched it (int3s,
 * optimized jmps): what a decoder of probed code must read.
 */
void kprobe_read_text(unsigned long addr, void *buf, size_t n);
/* Registered probes, and distinct probed addresses. */
unsigned long kprobe_count(void);
unsigned long kprobe_site_count(void);

/* One line per probe: symbol+offset, address, kind, hits, misses, status (and why not optimized). */
void kprobe_report(void);

/*
 * For kernel/fault.c, when an exception nobody claimed is about to be
 * caught (fault_catch) or reported. kprobe_fault shows a fault in an
 * out-of-line copy at the probed address, names the probe whose handler
 * faulted unless that handler is the one catching it (resumes: the probe
 * whose handler was running when the catching fault_catch began), and
 * forgets the hit in progress. kprobe_running / kprobe_set_running: the
 * probe whose handler runs, saved by fault_catch and put back when it
 * catches a fault.
 */
void kprobe_fault(struct pt_regs *regs, const struct kprobe *resumes);
struct kprobe *kprobe_running(void);
/* Nonzero while this CPU is inside a kprobe hit (handler, single-step, ftrace callback). */
int kprobe_cpu_busy(void);
void kprobe_set_running(struct kprobe *p);

#endif
