/*
 * Between kprobes.c (registry, hit path) and kprobes_insn.c (decoding,
 * emulation, out-of-line slots); nobody else includes this.
 */
#ifndef KERNEL_KPROBES_INTERNAL_H
#define KERNEL_KPROBES_INTERNAL_H
#include <stdint.h>
#include "kernel/fentry.h"
#include "kernel/kprobes.h"
#include "lib/insn.h"

#define FLAGS_IF	0x200ul
#define KP_INSN_MODE	(ARCH_BITS == 64 ? INSN_MODE_64 : INSN_MODE_32)

/* How a site's instruction runs (see kprobes.h). */
enum kp_kind { KP_EMULATE, KP_BOOST, KP_SSTEP, KP_FTRACE };

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
	uint8_t orig[INSN_MAX_LEN];	/* the instruction's bytes */
};

/* Decode the instruction at s->addr (bytes s->orig, avail of them) and fill
 * kind/op/args; 0, or -errno with *why set. Allocates no slot. */
int kp_prepare(struct kprobe_site *s, size_t avail, const char **why);
/* Emulate s's instruction on regs (KP_EMULATE); sets regs->ip. */
void kp_emulate(const struct kprobe_site *s, struct pt_regs *regs);

/* Out-of-line slots: give s one and write its copy (tail by s->kind). */
int kp_slot_alloc(struct kprobe_site *s, const char **why);
/* Rewrite the tail after the copy: jmp back (KP_BOOST) or int3 (KP_SSTEP). */
int kp_slot_set_tail(struct kprobe_site *s);
void kp_slot_free(struct kprobe_site *s);
/* The site whose slot holds ip, or NULL. */
struct kprobe_site *kp_slot_owner(unsigned long ip);

#endif
