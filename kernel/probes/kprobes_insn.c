/*
 * The probed instruction: decide how it runs (kp_prepare), emulate it on
 * pt_regs (kp_emulate, on the hit path), or copy it to an out-of-line slot
 * with a RIP-relative operand relocated (kp_slot_*).
 *
 * Emulated: whatever would be wrong or slow out of line: control transfers
 * (their target depends on where they run, or they push their own address)
 * and what reads or writes IF/TF (which the single-step path changes).
 * Copied: everything else that is not refused; a copied instruction never
 * branches, so it always falls through to its slot's tail.
 *
 * Probe machinery: every function is __noprobe; the file is in notrace.list.
 */
#include "kernel/probes/kprobes_internal.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/text_poke.h"
#include "kernel/traps.h"

#define WORD		sizeof(unsigned long)
#define INT3		0xcc
#define JMP32		0xe9
#define JMP32_SIZE	5

#define FLAGS_CF	0x001ul
#define FLAGS_PF	0x004ul
#define FLAGS_ZF	0x040ul
#define FLAGS_SF	0x080ul
#define FLAGS_OF	0x800ul
#define FLAGS_RF	0x10000ul
#define FLAGS_VM	0x20000ul
/* What popf may change at CPL 0: CF PF AF ZF SF TF IF DF OF IOPL NT AC ID. */
#define POPF_MASK	0x247fd5ul

/* ---- preparation ---- */

static __noprobe int refuse(const char **why, const char *reason)
{
	*why = reason;
	return -EINVAL;
}

static __noprobe int prepare_branch(struct kprobe_site *s, const struct insn *in, const char **why)
{
	if (in->branch == INSN_BR_XBEGIN)
		return refuse(why, "xbegin is not emulated");
	if (in->prefixes & INSN_PFX_OPSIZE)
		return refuse(why, "operand-size prefixed branch is not emulated");
	s->arg = (unsigned long)insn_branch_target(in, s->addr);
	switch (in->branch) {
	case INSN_BR_JMP8:
	case INSN_BR_JMP32:
		s->op = KP_OP_JMP;
		break;
	case INSN_BR_JCC8:
	case INSN_BR_JCC32:
		s->op = KP_OP_JCC;
		s->cond = in->opcode & 0xf;
		break;
	case INSN_BR_CALL:
		s->op = KP_OP_CALL;
		break;
	case INSN_BR_LOOP:		/* E0 loopne, E1 loope, E2 loop */
		s->op = in->opcode == 0xe0 ? KP_OP_LOOPNE : in->opcode == 0xe1 ? KP_OP_LOOPE : KP_OP_LOOP;
		s->cond = in->addrsize;
		break;
	case INSN_BR_JCXZ:
		s->op = KP_OP_JCXZ;
		s->cond = in->addrsize;
		break;
	default:
		return refuse(why, "unknown relative branch");
	}
	return 0;
}

/* FF /2, FF /4: remember how to compute the operand at hit time. */
static __noprobe int prepare_indirect(struct kprobe_site *s, const struct insn *in, const char **why)
{
	int b = in->rex & 1, x = (in->rex >> 1) & 1;

	if (in->prefixes & INSN_PFX_OPSIZE)
		return refuse(why, "operand-size prefixed indirect branch is not emulated");
	if (in->seg == 0x64 || in->seg == 0x65)
		return refuse(why, "fs/gs-relative indirect branch is not emulated");
	if (in->addrsize == 2)
		return refuse(why, "16-bit addressing is not emulated");
	s->op = in->reg == 2 ? KP_OP_CALL_IND : KP_OP_JMP_IND;
	s->base = s->index = -1;
	if (in->mod == 3) {
		s->base = (int8_t)(in->rm | b << 3);
		return 0;
	}
	s->mem = 1;
	s->addr32 = ARCH_BITS == 64 && in->addrsize == 4;
	s->arg = (unsigned long)(long)in->disp;
	if (in->has_sib) {
		if ((in->index | x << 3) != 4) {
			s->index = (int8_t)(in->index | x << 3);
			s->scale = in->scale;
		}
		if (!(in->base == 5 && in->mod == 0))
			s->base = (int8_t)(in->base | b << 3);
	} else if (insn_is_rip_relative(in)) {
		s->arg = s->addr + in->length + (long)in->disp;
	} else if (!(in->rm == 5 && in->mod == 0)) {	/* else: absolute disp32 */
		s->base = (int8_t)(in->rm | b << 3);
	}
	return 0;
}

/* The emulated one-byte-map instructions; 0 when in is not one of them. */
static __noprobe int prepare_simple(struct kprobe_site *s, const struct insn *in)
{
	int natural = in->opsize == WORD && !(in->prefixes & INSN_PFX_OPSIZE);

	if (in->vex_kind != INSN_VEX_NONE)
		return 0;
	if (in->map == INSN_MAP_0F && in->opcode == 0x1f && in->reg == 0)
		return s->op = KP_OP_NOP;		/* nop Ev, any length */
	if (in->map != INSN_MAP_1BYTE)
		return 0;
	switch (in->opcode) {
	case 0x50 ... 0x57:
		if (!natural)
			return 0;
		s->arg = arch_gpr_offset[(in->opcode & 7) | (in->rex & 1) << 3];
		return s->op = KP_OP_PUSH_REG;
	case 0x68:
	case 0x6a:
		if (!natural)
			return 0;
		s->arg = (unsigned long)insn_imm_signed(in);
		return s->op = KP_OP_PUSH_IMM;
	case 0x90:	/* with REX.B it is xchg r8, ax; F3 90 is pause (copied) */
		if ((in->rex & 1) || (in->prefixes & INSN_PFX_REP))
			return 0;
		return s->op = KP_OP_NOP;
	case 0x9c:
		return natural ? (s->op = KP_OP_PUSHF) : 0;
	case 0x9d:
		return natural ? (s->op = KP_OP_POPF) : 0;
	case 0xfa:
		return s->op = KP_OP_CLI;
	case 0xfb:
		return s->op = KP_OP_STI;
	}
	return 0;
}

/* Why in can be neither copied nor emulated, or NULL when it can be copied. */
static __noprobe const char *unprobeable(const struct insn *in)
{
	if (insn_is_iret(in))
		return "iret cannot be probed";
	if (insn_is_int(in))
		return "int3/int n/into/int1 cannot be probed";
	if (insn_has_attr(in, INSN_ATTR_FAR_RET | INSN_ATTR_FAR_JMP | INSN_ATTR_FAR_CALL))
		return "far transfers cannot be probed";
	if (insn_is_syscall(in))
		return "syscall/sysret/sysenter/sysexit cannot be probed";
	if (insn_is_privileged(in))
		return "privileged instructions (CR/DR/MSR/descriptor tables ...) cannot be probed";
	if (insn_is_mov_seg(in))
		return "segment register loads cannot be probed";
	if (insn_is_hlt(in))
		return "hlt/mwait cannot be probed";
	if (insn_is_trap(in))
		return "trapping instructions (ud2, vmcall ...) cannot be probed";
	if (insn_changes_if(in))
		return "this IF/TF-changing form is not emulated";
	if (insn_is_indirect_flow(in) || insn_is_rel_branch(in))
		return "this control transfer is not emulated";
	return NULL;
}

int __noprobe kp_prepare(struct kprobe_site *s, size_t avail, const char **why)
{
	struct insn in;
	int len = insn_decode(&in, s->orig, avail, KP_INSN_MODE);
	const char *no;

	if (len == INSN_ERR_TRUNCATED)
		return refuse(why, "the instruction runs past the end of its function");
	if (len < 0)
		return refuse(why, "the instruction cannot be decoded");
	s->len = (uint8_t)len;
	s->kind = KP_EMULATE;
	if (insn_is_rel_branch(&in))
		return prepare_branch(s, &in, why);
	if (insn_is_ret(&in)) {
		if (in.prefixes & INSN_PFX_OPSIZE)
			return refuse(why, "operand-size prefixed ret is not emulated");
		s->op = KP_OP_RET;
		s->ret_imm = in.opcode == 0xc2 ? (uint16_t)in.imm : 0;
		return 0;
	}
	if (insn_is_indirect_jmp(&in) || insn_is_indirect_call(&in))
		return prepare_indirect(s, &in, why);
	if (prepare_simple(s, &in))
		return 0;
	no = unprobeable(&in);
	if (no)
		return refuse(why, no);
	s->op = KP_OP_COPY;
	s->kind = KP_BOOST;
	s->rip_disp = insn_is_rip_relative(&in) ? in.disp_offset : 0;
	return 0;
}

/* ---- emulation (hit path) ---- */

static inline __attribute__((always_inline)) unsigned long *gpr(struct pt_regs *regs, int n)
{
	return (unsigned long *)((char *)regs + arch_gpr_offset[n]);
}

static __noprobe int cond_true(unsigned cond, unsigned long f)
{
	int of = !!(f & FLAGS_OF), sf = !!(f & FLAGS_SF), zf = !!(f & FLAGS_ZF);
	int cf = !!(f & FLAGS_CF), pf = !!(f & FLAGS_PF), r;

	switch (cond >> 1) {
	case 0: r = of; break;			/* jo */
	case 1: r = cf; break;			/* jb */
	case 2: r = zf; break;			/* je */
	case 3: r = cf | zf; break;		/* jbe */
	case 4: r = sf; break;			/* js */
	case 5: r = pf; break;			/* jp */
	case 6: r = sf != of; break;		/* jl */
	default: r = zf | (sf != of); break;	/* jle */
	}
	return r ^ (cond & 1);
}

/* The count register of loop/jcxz as wide as the address size (bytes). */
static __noprobe unsigned long count_mask(unsigned bytes)
{
	return bytes >= WORD ? ~0ul : bytes == 4 ? 0xfffffffful : 0xfffful;
}

/* loop*: decrement the count register (a 32-bit write zero-extends, a 16-bit one merges). */
static __noprobe unsigned long count_dec(struct pt_regs *regs, unsigned bytes)
{
	unsigned long c = (regs->cx - 1) & count_mask(bytes);

	regs->cx = bytes == 2 ? (regs->cx & ~0xfffful) | c : c;
	return c;
}

static __noprobe unsigned long indirect_target(const struct kprobe_site *s, struct pt_regs *regs)
{
	unsigned long ea = s->arg;

	if (!s->mem)
		return *gpr(regs, s->base);
	if (s->base >= 0)
		ea += *gpr(regs, s->base);
	if (s->index >= 0)
		ea += *gpr(regs, s->index) << s->scale;
	if (s->addr32)
		ea &= 0xfffffffful;
	return *(const unsigned long *)ea;
}

static __noprobe unsigned long pop_word(struct pt_regs *regs)
{
	unsigned long v = *(const unsigned long *)regs->sp;

	regs->sp += WORD;
	return v;
}

void __noprobe kp_emulate(const struct kprobe_site *s, struct pt_regs *regs)
{
	unsigned long next = s->addr + s->len, c;
	int take;

	switch (s->op) {
	case KP_OP_JMP:
		regs->ip = s->arg;
		return;
	case KP_OP_CALL:
		int3_emulate_call(regs, s->arg, next);
		return;
	case KP_OP_JCC:
		regs->ip = cond_true(s->cond, regs->flags) ? s->arg : next;
		return;
	case KP_OP_LOOP:
	case KP_OP_LOOPE:
	case KP_OP_LOOPNE:
		c = count_dec(regs, s->cond);
		take = c && (s->op == KP_OP_LOOP || (s->op == KP_OP_LOOPE) == !!(regs->flags & FLAGS_ZF));
		regs->ip = take ? s->arg : next;
		return;
	case KP_OP_JCXZ:
		regs->ip = (regs->cx & count_mask(s->cond)) ? next : s->arg;
		return;
	case KP_OP_RET:
		regs->ip = pop_word(regs);
		regs->sp += s->ret_imm;
		return;
	case KP_OP_PUSH_REG:
		int3_emulate_push(regs, *(unsigned long *)((char *)regs + s->arg));
		break;
	case KP_OP_PUSH_IMM:
		int3_emulate_push(regs, s->arg);
		break;
	case KP_OP_PUSHF:
		int3_emulate_push(regs, regs->flags & ~(FLAGS_RF | FLAGS_VM));
		break;
	case KP_OP_POPF:
		c = pop_word(regs);
		regs->flags = (regs->flags & ~POPF_MASK) | (c & POPF_MASK);
		break;
	case KP_OP_CLI:
		regs->flags &= ~FLAGS_IF;
		break;
	case KP_OP_STI:
		regs->flags |= FLAGS_IF;
		break;
	case KP_OP_CALL_IND:
		int3_emulate_call(regs, indirect_target(s, regs), next);
		return;
	case KP_OP_JMP_IND:
		regs->ip = indirect_target(s, regs);
		return;
	default:	/* KP_OP_NOP */
		break;
	}
	regs->ip = next;
}

/* ---- out-of-line slots ---- */
/*
 * Slots are SLOT_SIZE bytes of execmem pages kprobes own: the copied
 * instruction, then a jmp back (boosted) or an int3 (single-step). owner[]
 * maps a slot back to its site for fault reports. A page left empty is
 * returned to execmem unless it is the only one (churn would thrash).
 */
#define SLOT_SIZE	32	/* >= INSN_MAX_LEN + JMP32_SIZE */
#define SLOTS_PER_PAGE	(PAGE_SIZE / SLOT_SIZE)

struct slot_page {
	uint8_t *base;
	struct slot_page *next;
	unsigned used;
	struct kprobe_site *owner[SLOTS_PER_PAGE];
};

static struct slot_page *slot_pages;

static __noprobe unsigned tail_size(const struct kprobe_site *s)
{
	return s->kind == KP_BOOST ? JMP32_SIZE : 1;
}

/* The rel32 that reaches `to` from an instruction ending at from_end; 0 if out of reach. */
int __noprobe kp_rel32(unsigned long from_end, unsigned long to, int32_t *out)
{
	long d = (long)(to - from_end);

	if (d != (long)(int32_t)d)
		return 0;
	*out = (int32_t)d;
	return 1;
}

void __noprobe kp_put32(uint8_t *p, int32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)((uint32_t)v >> (8 * i));
}

static __noprobe void make_tail(const struct kprobe_site *s, uint8_t *slot, uint8_t *tail)
{
	int32_t rel = 0;

	if (s->kind != KP_BOOST) {
		tail[0] = INT3;
		return;
	}
	/* execmem is within rel32 reach of text (checked by execmem) */
	kp_rel32((unsigned long)slot + s->len + JMP32_SIZE, s->addr + s->len, &rel);
	tail[0] = JMP32;
	kp_put32(tail + 1, rel);
}

int __noprobe kp_copy_insn(const struct kprobe_site *s, unsigned long at, uint8_t *buf, const char **why)
{
	for (unsigned k = 0; k < s->len; k++)
		buf[k] = s->orig[k];
	if (s->rip_disp) {
		int32_t disp = (int32_t)((uint32_t)buf[s->rip_disp] | (uint32_t)buf[s->rip_disp + 1] << 8 |
					 (uint32_t)buf[s->rip_disp + 2] << 16 | (uint32_t)buf[s->rip_disp + 3] << 24);
		int32_t nd;

		if (!kp_rel32(at + s->len, s->addr + s->len + (long)disp, &nd)) {
			*why = "RIP-relative operand out of reach of the out-of-line slot";
			return -ERANGE;
		}
		kp_put32(buf + s->rip_disp, nd);
	}
	return 0;
}

int __noprobe kp_slot_alloc(struct kprobe_site *s, const char **why)
{
	struct slot_page *pg;
	uint8_t buf[SLOT_SIZE], *slot;
	unsigned i = 0;

	for (pg = slot_pages; pg && pg->used == SLOTS_PER_PAGE; pg = pg->next)
		;
	if (!pg) {
		pg = kzalloc(sizeof(*pg));
		if (!pg || !(pg->base = execmem_alloc(PAGE_SIZE))) {
			kfree(pg);
			*why = "out of memory for an out-of-line slot";
			return -ENOMEM;
		}
		pg->next = slot_pages;
		slot_pages = pg;
	}
	while (pg->owner[i])
		i++;
	slot = pg->base + i * SLOT_SIZE;
	if (kp_copy_insn(s, (unsigned long)slot, buf, why))
		return -ERANGE;
	make_tail(s, slot, buf + s->len);
	if (text_poke(slot, buf, s->len + tail_size(s))) {
		*why = "cannot write the out-of-line slot";
		return -EFAULT;
	}
	pg->owner[i] = s;
	pg->used++;
	s->slot = slot;
	return 0;
}

int __noprobe kp_slot_set_tail(struct kprobe_site *s)
{
	uint8_t tail[JMP32_SIZE];

	make_tail(s, s->slot, tail);
	return text_poke(s->slot + s->len, tail, tail_size(s));
}

void __noprobe kp_slot_free(struct kprobe_site *s)
{
	static const uint8_t fill[SLOT_SIZE] = { [0 ... SLOT_SIZE - 1] = INT3 };
	struct slot_page **pp, *pg;

	for (pp = &slot_pages; (pg = *pp); pp = &pg->next) {
		unsigned long off = (unsigned long)(s->slot - pg->base);

		if (off >= PAGE_SIZE)
			continue;
		text_poke(s->slot, fill, SLOT_SIZE);	/* stale jumps in trap */
		pg->owner[off / SLOT_SIZE] = NULL;
		s->slot = NULL;
		if (--pg->used == 0 && (pg != slot_pages || pg->next)) {
			*pp = pg->next;
			execmem_free(pg->base);
			kfree(pg);
		}
		return;
	}
}

struct kprobe_site *__noprobe kp_slot_owner(unsigned long ip)
{
	for (struct slot_page *pg = slot_pages; pg; pg = pg->next)
		if (ip - (unsigned long)pg->base < PAGE_SIZE)
			return pg->owner[(ip - (unsigned long)pg->base) / SLOT_SIZE];
	return NULL;
}
