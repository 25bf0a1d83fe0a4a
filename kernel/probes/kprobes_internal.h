/*
 * Between kprobes.c (registry, hit paths), kprobes_insn.c (decoding,
 * emulation, out-of-line slots) and optprobes.c (jmp-optimized probes);
 * nobody else includes this.
 */
#ifndef KERNEL_KPROBES_INTERNAL_H
#define KERNEL_KPROBES_INTERNAL_H
#include <stdint.h>
#include "kernel/cpu.h"
#include "kernel/probes/fentry.h"
#include "kernel/probes/kprobes.h"
#include "lib/insn.h"

#define KP_INSN_MODE	(ARCH_BITS == 64 ? INSN_MODE_64 : INSN_MODE_32)

/* How a site's instruction runs (see kprobes.h); KP_OPT: through its detour. */
enum kp_kind { KP_EMULATE, KP_BOOST, KP_SSTEP, KP_FTRACE, KP_OPT };

/* What the emulation does; KP_OP_COPY: nothing, the slot runs it. */
enum kp_op {
	KP_OP_COPY, KP_OP_NOP, KP_OP_JMP, KP_OP_CALL, KP_OP_JCC,
	KP_OP_LOOP, KP_OP_LOOPE, KP_OP_LOOPNE, KP_OP_JCXZ, KP_OP_RET,
	KP_OP_PUSH_REG, KP_OP_PUSH_IMM, KP_OP_PUSHF, KP_OP_POPF, KP_OP_CLI, KP_OP_STI,
	KP_OP_CALL_IND, KP_OP_JMP_IND,
};

/* One probed address: its int3, its chain of probes, how it executes. */
struct kprobe_site {
	unsigned long addr;
	struct kprobe_site *hnext;	/* hash chain */
	struct kprobe *probes;		/* registration order */
	struct kprobe *single;		/* the one enabled probe, NULL if 0 or > 1 */
	uint8_t *slot;			/* out-of-line copy (KP_BOOST/KP_SSTEP) */
	struct ftrace_ops *ops;		/* KP_FTRACE: our callback on the fentry site */
	uint8_t len, kind, op;
	uint8_t cond;			/* jcc condition; loop/jcxz: count register bytes */
	uint8_t armed;			/* our int3 is in the text */
	uint8_t post;			/* some enabled probe has a post_handler */
	int8_t base, index;		/* indirect operand registers, -1: none */
	uint8_t scale;
	uint8_t mem;			/* indirect operand: 1 memory, 0 register */
	uint8_t addr32;			/* indirect operand: 32-bit address size (64-bit mode) */
	uint8_t rip_disp;		/* copied: offset of a RIP-relative disp32, 0 if none */
	uint16_t ret_imm;		/* ret imm16 */
	unsigned long arg;		/* branch target, push value/register offset, disp */
	struct kprobe_site *dead_next;	/* waiting to be freed */
	struct kp_detour *opt;		/* its detour (optprobes.c), NULL if none */
	const char *opt_why;		/* why it is not optimized; NULL when it is */
	struct kprobe_site *opt_next;	/* queued for optimization */
	uint8_t opt_queued;
	uint8_t orig[INSN_MAX_LEN];	/* the instruction's bytes (and what follows) */
};

/* Decode the instruction at s->addr (bytes s->orig, avail of them) and fill
 * kind/op/args; 0, or -errno with *why set. Allocates no slot. */
int kp_prepare(struct kprobe_site *s, size_t avail, const char **why);
/* Emulate s's instruction on regs (KP_EMULATE); sets regs->ip. */
void kp_emulate(const struct kprobe_site *s, struct pt_regs *regs);

/*
 * s's instruction as it must read to run at `at` (buf, s->len bytes): a
 * RIP-relative operand relocated. 0, or -ERANGE with *why.
 */
int kp_copy_insn(const struct kprobe_site *s, unsigned long at, uint8_t *buf, const char **why);
/* The rel32 that reaches `to` from an instruction ending at from_end; 0 if out of reach. */
int kp_rel32(unsigned long from_end, unsigned long to, int32_t *out);
void kp_put32(uint8_t *p, int32_t v);

/* Out-of-line slots: give s one and write its copy (tail by s->kind). */
int kp_slot_alloc(struct kprobe_site *s, const char **why);
/* Rewrite the tail after the copy: jmp back (KP_BOOST) or int3 (KP_SSTEP). */
int kp_slot_set_tail(struct kprobe_site *s);
void kp_slot_free(struct kprobe_site *s);
/* The site whose slot holds ip, or NULL. */
struct kprobe_site *kp_slot_owner(unsigned long ip);

/* kprobes.c: the site of a probed address, or NULL. */
struct kprobe_site *kp_site_find(unsigned long addr);

/* ---- optimized probes (optprobes.c) ---- */

#define OPT_JMP_SIZE	5	/* the jmp over the probed address */
#define OPT_CALL_SIZE	5	/* the detour's call optprobe_entry */
#define OPT_SLOT_SIZE	64	/* one execmem granule */

/*
 * A detour slot: `call optprobe_entry`, the copy of the instructions the
 * jmp displaces, a jmp back after them; the site it serves in its last word.
 */
struct kp_detour {
	uint8_t *slot;
	uint8_t len;				/* original bytes copied */
	struct kprobe_site *site;
	struct kp_detour *prev, *next;		/* every detour */
};

static inline struct kprobe_site *opt_slot_site(unsigned long slot)
{
	return *(struct kprobe_site *const *)(slot + OPT_SLOT_SIZE - sizeof(void *));
}

void optprobe_entry(void);			/* trampoline.S */
int __trampoline_handler optprobe_handler(struct pt_regs *regs);	/* kprobes.c: the hit path */

/* Consider s for optimization at the next opt_flush (and free an unused detour). */
void opt_queue(struct kprobe_site *s);
/* Optimize (or record why not) what is queued; a no-op while a handler runs. */
void opt_flush(void);
/* Back to s's int3 probe now: the original bytes after the int3, s queued. */
void opt_unoptimize(struct kprobe_site *s);
/* A probe is coming to addr: unoptimize the site whose jmp covers it. */
void opt_make_room(unsigned long addr);
/* The probe at addr is gone: queue the sites whose 5 bytes it blocked. */
void opt_queue_before(unsigned long addr);
/* s is being freed: its detour too. */
void opt_forget(struct kprobe_site *s);
/* buf holds text [pos, pos + n): put back what optimized jmps replaced. */
void opt_recover(unsigned long pos, uint8_t *buf, size_t n);
/* A fault in a detour's copy: regs->ip back to the original instruction. */
void opt_fault(struct pt_regs *regs);

#endif
