/*
 * insn_tables.h - opcode attribute tables of the x86 decoder (private to lib/insn*.c).
 *
 * Every opcode of the legacy maps has one 32-bit attribute word:
 *   bits 0-3   immediate shape (enum imm_kind)
 *   bits 4-23  flags (OP_*)
 *   bits 24-31 group number (modrm.reg selects, see insn_groups[])
 * An attribute word of 0 means "undefined opcode".
 */
#ifndef UNIPROBE_INSN_TABLES_H
#define UNIPROBE_INSN_TABLES_H

#include <stdint.h>

enum imm_kind {
	I_NONE = 0,
	I_B,		/* imm8 */
	I_W,		/* imm16 */
	I_Z,		/* imm16 with 66, else imm32 */
	I_V,		/* imm16/32/64 by operand size (mov r, imm64) */
	I_WB,		/* imm16 + imm8 (enter) */
	I_PTR,		/* far pointer: offset16/32 + selector16 */
	I_MOFFS,	/* address-sized offset (A0-A3) */
	I_J8,		/* rel8 */
	I_JZ,		/* rel16/32 (always rel32 in 64-bit mode) */
	I_BB,		/* imm8 + imm8 (extrq/insertq) */
};

enum op_flags {
	OP_IMM_MASK = 0x0000000f,
	OP_OK     = 1u << 4,	/* defined opcode */
	OP_MODRM  = 1u << 5,	/* has a ModRM byte */
	OP_INV64  = 1u << 6,	/* invalid in 64-bit mode */
	OP_ONLY64 = 1u << 7,	/* valid only in 64-bit mode */
	OP_D64    = 1u << 8,	/* operand size defaults to 64 in 64-bit mode */
	OP_LOCK   = 1u << 9,	/* LOCK allowed (with a memory destination) */
	OP_MEM    = 1u << 10,	/* ModRM.mod must not be 3 */
	OP_REG    = 1u << 11,	/* ModRM.mod must be 3 */
	OP_DREG   = 1u << 12,	/* writes the GPR in ModRM.reg */
	OP_DRM    = 1u << 13,	/* writes the GPR in ModRM.rm (when mod == 3) */
	OP_DOPREG = 1u << 14,	/* writes the GPR in opcode bits 0-2 */
	OP_BYTE   = 1u << 15,	/* 8-bit operands: register 4 is AH unless REX */
	/* mandatory-prefix filters (SSE style); none set: prefixes are ignored */
	P_NP      = 1u << 16,	/* valid without 66/F2/F3 */
	P_66      = 1u << 17,
	P_F3      = 1u << 18,
	P_F2      = 1u << 19,
	OP_SPECIAL = 1u << 20,	/* needs code in insn.c (escape, prefix, VEX, x87...) */
	OP_F64    = 1u << 21,	/* operand size forced to 64 in 64-bit mode */
	OP_GROUP_SHIFT = 24,
};

#define P_ALL (P_NP | P_66 | P_F3 | P_F2)

/* Groups: ModRM.reg selects the instruction (Intel's "Grp" numbers). */
enum insn_group {
	G_NONE = 0,
	G1,	/* 80-83 */
	G1A,	/* 8F */
	G2,	/* C0 C1 D0-D3 */
	G3B,	/* F6 */
	G3V,	/* F7 */
	G4,	/* FE */
	G5,	/* FF */
	G11B,	/* C6 */
	G11V,	/* C7 */
	G6,	/* 0F 00 */
	G7,	/* 0F 01 */
	G8,	/* 0F BA */
	G9,	/* 0F C7 */
	G12,	/* 0F 71 */
	G13,	/* 0F 72 */
	G14,	/* 0F 73 */
	G15,	/* 0F AE */
	G16,	/* 0F 18 */
	GP,	/* 0F 0D prefetch */
	G17,	/* VEX 0F38 F3 (blsr, blsmsk, blsi) */
	G_COUNT
};

/* Per group: attribute words for ModRM.reg 0..7, memory form and register form. */
struct insn_group_entry {
	uint32_t mem[8];
	uint32_t reg[8];
};

extern const uint32_t insn_map1[256];
extern const uint32_t insn_map0f[256];
extern const uint32_t insn_map0f38[256];
extern const uint32_t insn_map0f3a[256];
extern const struct insn_group_entry insn_groups[G_COUNT];

/* 0F 01 with mod == 3: accepted mandatory prefixes per ModRM byte C0..FF
 * (bits 0-3: 32-bit mode, bits 4-7: 64-bit mode; none, 66, F3, F2). */
extern const uint8_t insn_0f01_reg[64];

/* x87: valid memory forms (bit = ModRM.reg) and register forms
 * (bit n = ModRM byte C0+n) for D8..DF. */
extern const uint8_t insn_x87_mem[8];
extern const uint64_t insn_x87_reg[8];

/* 3DNow! suffix bytes that are defined (bit n of word n/32). */
extern const uint32_t insn_3dnow[8];

/* VEX/EVEX/XOP: accepted pp values (bit 0 none, 1 66, 2 F3, 3 F2) per opcode,
 * plus VX_* flags. */
enum vex_flags {
	VX_NP = 1, VX_66 = 2, VX_F3 = 4, VX_F2 = 8,
	VX_ALL = 15,
	VX_IB  = 0x10,	/* imm8 follows */
	VX_NOMODRM = 0x20,	/* no ModRM (vzeroupper/vzeroall) */
	VX_REG = 0x40,	/* ModRM.mod must be 3 */
	VX_MEM = 0x80,	/* ModRM.mod must not be 3 */
	VX_VSIB = 0x100,	/* memory operand with a SIB byte (vector index, tile) */
	VX_O64 = 0x200,	/* 64-bit mode only */
};
extern const uint16_t insn_vex_0f[256];
extern const uint16_t insn_vex_0f38[256];
extern const uint16_t insn_vex_0f3a[256];
extern const uint16_t insn_evex_0f[256];
extern const uint16_t insn_evex_0f38[256];
extern const uint16_t insn_evex_0f3a[256];
extern const uint16_t insn_evex_map5[256];
extern const uint16_t insn_evex_map6[256];
extern const uint16_t insn_xop_8[256];
extern const uint16_t insn_xop_9[256];
extern const uint16_t insn_xop_a[256];

#endif
