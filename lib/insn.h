/*
 * insn.h - compact table-driven x86 instruction decoder (32-bit and 64-bit code).
 *
 * Freestanding: no allocation, no libc, only <stdint.h>/<stddef.h>/<stdbool.h>.
 * The decoder finds the length and the encoding fields of one instruction and
 * classifies it (branches, stack effects, privileged ...) so that a probe can
 * copy, relocate or emulate it.  It does not produce operand lists or mnemonics.
 *
 * Decisions (see docs/insn.md):
 *  - Validity follows the Intel SDM as implemented by Zydis 4.0 in its default
 *    mode; e.g. a LOCK prefix on an instruction that cannot be locked, or on a
 *    register destination, is INSN_ERR_INVALID (the CPU raises #UD).
 *  - In 64-bit mode near branches ignore 0x66 (Intel behaviour, Zydis default):
 *    jmp/call/jcc rel32 always take a 4-byte displacement there.
 *  - VEX/EVEX/XOP: the opcode must exist in its map with that mandatory prefix;
 *    per-instruction constraints on VEX.L/W, unused vvvv and EVEX.b/z/aaa are not
 *    checked (the length does not depend on them).
 */
#ifndef UNIPROBE_INSN_H
#define UNIPROBE_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum insn_mode { INSN_MODE_32 = 32, INSN_MODE_64 = 64 };

/* Negative return values of insn_decode(). */
#define INSN_ERR_INVALID   (-1) /* undefined/invalid encoding (#UD) */
#define INSN_ERR_TRUNCATED (-2) /* fewer than needed bytes were available */
#define INSN_ERR_TOO_LONG  (-3) /* would exceed the 15-byte architectural limit */

#define INSN_MAX_LEN 15

/* insn.map: opcode map of insn.opcode. VEX/EVEX/XOP use their map number. */
enum insn_map {
	INSN_MAP_1BYTE = 0,
	INSN_MAP_0F = 1,
	INSN_MAP_0F38 = 2,
	INSN_MAP_0F3A = 3,
	INSN_MAP_EVEX5 = 5,	/* EVEX map 5 (AVX512-FP16) */
	INSN_MAP_EVEX6 = 6,	/* EVEX map 6 (AVX512-FP16) */
	INSN_MAP_XOP8 = 8,
	INSN_MAP_XOP9 = 9,
	INSN_MAP_XOPA = 10,
	INSN_MAP_3DNOW = 16,	/* 0F 0F modrm [sib] [disp] suffix: opcode = suffix */
};

/* insn.vex_kind */
enum insn_vex {
	INSN_VEX_NONE = 0,
	INSN_VEX_VEX2,		/* C5 xx */
	INSN_VEX_VEX3,		/* C4 xx xx */
	INSN_VEX_XOP,		/* 8F xx xx (AMD) */
	INSN_VEX_EVEX,		/* 62 xx xx xx */
};

/* insn.prefixes: legacy prefixes seen (any number of times, any order). */
#define INSN_PFX_LOCK   0x0001	/* F0 */
#define INSN_PFX_REPNE  0x0002	/* F2 */
#define INSN_PFX_REP    0x0004	/* F3 */
#define INSN_PFX_OPSIZE 0x0008	/* 66 */
#define INSN_PFX_ADSIZE 0x0010	/* 67 */
#define INSN_PFX_SEG    0x0020	/* any of 26 2E 36 3E 64 65; insn.seg is the last */

/* insn.branch: kind of relative branch (its displacement is insn.imm). */
enum insn_branch {
	INSN_BR_NONE = 0,
	INSN_BR_JMP8,		/* EB rel8 */
	INSN_BR_JMP32,		/* E9 rel32 (rel16 with 66 in 32-bit mode) */
	INSN_BR_JCC8,		/* 70-7F rel8 */
	INSN_BR_JCC32,		/* 0F 80-8F rel32 (rel16 with 66 in 32-bit mode) */
	INSN_BR_CALL,		/* E8 rel32 (rel16 with 66 in 32-bit mode) */
	INSN_BR_LOOP,		/* E0 loopne, E1 loope, E2 loop: rel8 */
	INSN_BR_JCXZ,		/* E3 jcxz/jecxz/jrcxz: rel8 */
	INSN_BR_XBEGIN,		/* C7 F8 xbegin rel32 (abort target) */
};

/*
 * insn.attr flags.  Each has an insn_is_* helper below.
 */
#define INSN_ATTR_RIP_REL      (1u << 0)  /* [rip+disp32]; disp at insn.disp_offset */
#define INSN_ATTR_REL_BRANCH   (1u << 1)  /* insn.branch != NONE */
#define INSN_ATTR_RET          (1u << 2)  /* C3, C2 iw */
#define INSN_ATTR_FAR_RET      (1u << 3)  /* CB, CA iw */
#define INSN_ATTR_IRET         (1u << 4)  /* CF iret/iretd/iretq */
#define INSN_ATTR_INT          (1u << 5)  /* CC int3, CD int n, CE into, F1 int1 */
#define INSN_ATTR_INDIRECT_JMP (1u << 6)  /* FF /4 */
#define INSN_ATTR_INDIRECT_CALL (1u << 7) /* FF /2 */
#define INSN_ATTR_FAR_JMP      (1u << 8)  /* EA ptr16:32, FF /5 */
#define INSN_ATTR_FAR_CALL     (1u << 9)  /* 9A ptr16:32, FF /3 */
#define INSN_ATTR_SYSCALL      (1u << 10) /* syscall sysret sysenter sysexit */
#define INSN_ATTR_PUSH         (1u << 11) /* stores onto the stack (push*, call, enter) */
#define INSN_ATTR_POP          (1u << 12) /* loads from the stack (pop*, ret, leave, iret) */
#define INSN_ATTR_STACK        (1u << 13) /* implicitly moves the stack pointer */
#define INSN_ATTR_SP_DELTA     (1u << 14) /* insn.stack_delta is the exact SP change */
#define INSN_ATTR_WRITES_SP    (1u << 15) /* SP is an explicit/whole destination:
					     mov/add/sub/lea/xchg/pop to SP, leave, lss */
#define INSN_ATTR_LOCK         (1u << 16) /* F0 prefix (legal use) */
#define INSN_ATTR_REP          (1u << 17) /* F2/F3 on a string instruction */
#define INSN_ATTR_PRIVILEGED   (1u << 18) /* CPL0 only (hlt, lgdt, mov cr/dr, wrmsr ...) */
#define INSN_ATTR_IO           (1u << 19) /* in/out/ins/outs (IOPL/bitmap checked) */
#define INSN_ATTR_IF           (1u << 20) /* changes IF/TF: cli sti popf iret */
#define INSN_ATTR_MOV_SEG      (1u << 21) /* loads a segment register (mov/pop sreg, lds..) */
#define INSN_ATTR_HLT          (1u << 22) /* hlt, mwait, monitor-like waits */
#define INSN_ATTR_TRAP         (1u << 23) /* ud0/ud1/ud2, getsec, rsm, xabort, VMX/SVM/
					     SGX leaves: fault, exit or abort */
#define INSN_ATTR_X87          (1u << 24) /* D8-DF */

struct insn {
	uint8_t length;		/* total bytes, 1..15 */
	uint8_t mode;		/* 32 or 64 */
	uint8_t opsize;		/* effective operand size in bytes: 2, 4 or 8 */
	uint8_t addrsize;	/* effective address size in bytes: 2, 4 or 8 */

	/* legacy prefixes */
	uint16_t prefixes;	/* INSN_PFX_* */
	uint8_t num_prefixes;	/* legacy prefix bytes incl. repeats (not REX) */
	uint8_t seg;		/* last segment override byte, 0 if none */
	uint8_t last_rep;	/* last of F2/F3, 0 if none */
	uint8_t mandatory;	/* SSE mandatory prefix in effect: 0, 0x66, 0xF2, 0xF3 */

	uint8_t rex;		/* effective REX byte (64-bit mode), 0 if none */

	/* VEX / XOP / EVEX */
	uint8_t vex_kind;	/* enum insn_vex */
	uint8_t vex_bytes[4];	/* the prefix bytes as encoded, vex_bytes[0] = C5/C4/8F/62 */
	uint8_t vex_w, vex_l;	/* W, vector length (EVEX: L'L) */
	uint8_t vex_vvvv;	/* register specifier, already un-inverted (EVEX: V':vvvv) */
	uint8_t vex_pp;		/* 0 none, 1 66, 2 F3, 3 F2 */

	/* opcode */
	uint8_t map;		/* enum insn_map */
	uint8_t opcode;		/* opcode byte inside the map (3DNow!: the suffix byte) */
	uint8_t opcode_offset;	/* offset of that byte in the instruction */

	/* ModRM / SIB / displacement */
	bool has_modrm;
	uint8_t modrm, mod, reg, rm;	/* reg/rm without REX extension */
	uint8_t modrm_offset;
	bool has_sib;
	uint8_t sib, scale, index, base;
	int32_t disp;		/* sign-extended displacement */
	uint8_t disp_size;	/* 0, 1, 2 or 4 */
	uint8_t disp_offset;

	/* immediates: imm is the first (or only) one; enter's imm8, insertq/extrq's
	 * second imm8 and a far pointer's selector are imm2 */
	uint64_t imm;		/* raw value, zero-extended; see insn_imm_signed() */
	uint8_t imm_size;	/* 0, 1, 2, 4 or 8 */
	uint8_t imm_offset;
	uint16_t imm2;
	uint8_t imm2_size;	/* 0, 1 or 2 */
	uint8_t imm2_offset;

	/* classification */
	uint8_t branch;		/* enum insn_branch */
	uint32_t attr;		/* INSN_ATTR_* */
	int32_t stack_delta;	/* SP change when INSN_ATTR_SP_DELTA is set */
};

/*
 * Decode one instruction from code[0..avail).  Returns the length (1..15) on
 * success, or INSN_ERR_INVALID / INSN_ERR_TRUNCATED / INSN_ERR_TOO_LONG.
 * On error *insn holds what was decoded so far (length is 0).
 */
int insn_decode(struct insn *insn, const void *code, size_t avail, enum insn_mode mode);

/* Target of a relative branch at address insn_addr (wraps like the CPU:
 * to 32 bits in 32-bit mode, to 16 bits for a 66-prefixed branch there).
 * For other instructions this is the address of the next instruction. */
uint64_t insn_branch_target(const struct insn *insn, uint64_t insn_addr);

/* Sign-extended first immediate (relative displacement for branches). */
int64_t insn_imm_signed(const struct insn *insn);

static inline bool insn_has_attr(const struct insn *i, uint32_t a) { return (i->attr & a) != 0; }

static inline bool insn_is_rip_relative(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_RIP_REL); }
static inline bool insn_is_rel_branch(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_REL_BRANCH); }
static inline bool insn_is_ret(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_RET); }
static inline bool insn_is_far_ret(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_FAR_RET); }
static inline bool insn_is_iret(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_IRET); }
static inline bool insn_is_int(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_INT); }
static inline bool insn_is_indirect_jmp(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_INDIRECT_JMP); }
static inline bool insn_is_indirect_call(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_INDIRECT_CALL); }
static inline bool insn_is_far_jmp(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_FAR_JMP); }
static inline bool insn_is_far_call(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_FAR_CALL); }
static inline bool insn_is_syscall(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_SYSCALL); }
static inline bool insn_is_push(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_PUSH); }
static inline bool insn_is_pop(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_POP); }
static inline bool insn_moves_stack(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_STACK); }
static inline bool insn_writes_sp(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_WRITES_SP); }
static inline bool insn_has_lock(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_LOCK); }
static inline bool insn_has_rep(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_REP); }
static inline bool insn_is_privileged(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_PRIVILEGED); }
static inline bool insn_is_io(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_IO); }
static inline bool insn_changes_if(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_IF); }
static inline bool insn_is_mov_seg(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_MOV_SEG); }
static inline bool insn_is_hlt(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_HLT); }
static inline bool insn_is_trap(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_TRAP); }
static inline bool insn_is_x87(const struct insn *i) { return insn_has_attr(i, INSN_ATTR_X87); }

/* Control transfers other than relative branches: ret, iret, int, indirect
 * and far jmp/call, syscall family. */
static inline bool insn_is_indirect_flow(const struct insn *i)
{
	return insn_has_attr(i, INSN_ATTR_RET | INSN_ATTR_FAR_RET | INSN_ATTR_IRET |
			     INSN_ATTR_INT | INSN_ATTR_INDIRECT_JMP | INSN_ATTR_INDIRECT_CALL |
			     INSN_ATTR_FAR_JMP | INSN_ATTR_FAR_CALL | INSN_ATTR_SYSCALL);
}

/*
 * True if the instruction cannot simply be executed out of line (copied to a
 * scratch slot and single-stepped): any control transfer (relative branches
 * must be emulated or fixed up), privileged/IO/IF-changing/segment-loading
 * instructions, hlt/mwait and trapping ones (ud2, vmcall ...).  RIP-relative operands are
 * NOT included: they can be relocated via disp_offset.
 */
static inline bool insn_needs_emulation(const struct insn *i)
{
	return insn_is_indirect_flow(i) ||
	       insn_has_attr(i, INSN_ATTR_REL_BRANCH | INSN_ATTR_PRIVILEGED | INSN_ATTR_IO |
			     INSN_ATTR_IF | INSN_ATTR_MOV_SEG | INSN_ATTR_HLT |
			     INSN_ATTR_TRAP);
}

#endif
