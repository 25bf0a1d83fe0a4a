/*
 * insn_tables.c - opcode data of the x86 decoder: the legacy maps (1-byte,
 * 0F, 0F38, 0F3A), their ModRM.reg groups, 0F 01 register forms, x87 and
 * 3DNow!, then the VEX/EVEX/XOP maps.  Facts from the Intel SDM Vol. 2
 * Appendix A and the AMD APM Vol. 3 opcode maps, cross-checked against Zydis
 * by tests/host/insn_fuzz.c.  See insn_tables.h for the meaning of the bits.
 */
#include "insn_tables.h"

/* Short names for the tables below only. */
enum {
	X = 0,				/* undefined */
	O = OP_OK,			/* no ModRM, no immediate */
	M = OP_OK | OP_MODRM,		/* ModRM */
	IB = OP_OK | I_B, IW = OP_OK | I_W, IZ = OP_OK | I_Z, IV = OP_OK | I_V,
	WB = OP_OK | I_WB, PTR = OP_OK | I_PTR, MOFFS = OP_OK | I_MOFFS,
	J8 = OP_OK | I_J8, JZ = OP_OK | I_JZ, BB = OP_OK | I_BB,
	L = OP_LOCK, N64 = OP_INV64, O64 = OP_ONLY64, D64 = OP_D64, F64 = OP_F64,
	MEM = OP_MEM, REG = OP_REG, DR = OP_DREG, DM = OP_DRM, DO = OP_DOPREG, B = OP_BYTE,
	ESC = OP_OK | OP_SPECIAL,
	NP = P_NP, PD = P_66, SS = P_F3, SD = P_F2,
	/* ALU block: op Eb,Gb / Ev,Gv / Gb,Eb / Gv,Ev / AL,Ib / eAX,Iz */
	A0 = M | L | DM | B, A1 = M | L | DM, A2 = M | DR | B, A3 = M | DR,
	/* group references */
	g1 = G1 << OP_GROUP_SHIFT, g1a = G1A << OP_GROUP_SHIFT, g2 = G2 << OP_GROUP_SHIFT,
	g3b = G3B << OP_GROUP_SHIFT, g3v = G3V << OP_GROUP_SHIFT, g4 = G4 << OP_GROUP_SHIFT,
	g5 = G5 << OP_GROUP_SHIFT, g11b = G11B << OP_GROUP_SHIFT, g11v = G11V << OP_GROUP_SHIFT,
	g6 = G6 << OP_GROUP_SHIFT, g7 = G7 << OP_GROUP_SHIFT, g8 = G8 << OP_GROUP_SHIFT,
	g9 = G9 << OP_GROUP_SHIFT, g12 = G12 << OP_GROUP_SHIFT, g13 = G13 << OP_GROUP_SHIFT,
	g14 = G14 << OP_GROUP_SHIFT, g15 = G15 << OP_GROUP_SHIFT, g16 = G16 << OP_GROUP_SHIFT,
	gp = GP << OP_GROUP_SHIFT,
	/* common SSE shapes */
	S_PS = M | NP | PD,			/* xxxps / xxxpd */
	S_ALL = M | NP | PD | SS | SD,		/* ps / pd / ss / sd */
	MMX = M | NP | PD,			/* MMX and its 66 SSE2 twin */
	X66 = M | PD,				/* 66 only */
};

const uint32_t insn_map1[256] = {
	/* 00 */ A0, A1, A2, A3, IB, IZ, O | N64, O | N64,
	/* 08 */ A0, A1, A2, A3, IB, IZ, O | N64, ESC,
	/* 10 */ A0, A1, A2, A3, IB, IZ, O | N64, O | N64,
	/* 18 */ A0, A1, A2, A3, IB, IZ, O | N64, O | N64,
	/* 20 */ A0, A1, A2, A3, IB, IZ, ESC, O | N64,
	/* 28 */ A0, A1, A2, A3, IB, IZ, ESC, O | N64,
	/* 30 */ A0, A1, A2, A3, IB, IZ, ESC, O | N64,
	/* 38 */ M | B, M, M | B, M, IB, IZ, ESC, O | N64,
	/* 40 inc/dec r (REX in 64-bit mode, handled as a prefix) */
	O | DO, O | DO, O | DO, O | DO, O | DO, O | DO, O | DO, O | DO,
	O | DO, O | DO, O | DO, O | DO, O | DO, O | DO, O | DO, O | DO,
	/* 50 push r, 58 pop r */
	O | D64, O | D64, O | D64, O | D64, O | D64, O | D64, O | D64, O | D64,
	O | D64 | DO, O | D64 | DO, O | D64 | DO, O | D64 | DO,
	O | D64 | DO, O | D64 | DO, O | D64 | DO, O | D64 | DO,
	/* 60 pusha popa bound (62 is EVEX in 64-bit mode) arpl/movsxd fs gs 66 67 */
	O | N64, O | N64, M | MEM | N64, M | OP_SPECIAL, ESC, ESC, ESC, ESC,
	/* 68 push Iz, imul Gv,Ev,Iz, push Ib, imul Gv,Ev,Ib, ins/outs */
	IZ | D64, M | IZ | DR, IB | D64, M | IB | DR, O, O, O, O,
	/* 70 jcc rel8 */
	J8 | F64, J8 | F64, J8 | F64, J8 | F64, J8 | F64, J8 | F64, J8 | F64, J8 | F64,
	J8 | F64, J8 | F64, J8 | F64, J8 | F64, J8 | F64, J8 | F64, J8 | F64, J8 | F64,
	/* 80 grp1, test, xchg */
	M | IB | g1 | B, M | IZ | g1, M | IB | g1 | B | N64, M | IB | g1,
	M | B, M, M | L | DR | DM | B, M | L | DR | DM,
	/* 88 mov, mov Sw, lea, mov Sw (8E checked in code), pop Ev */
	M | DM | B, M | DM, M | DR | B, M | DR, M | DM | OP_SPECIAL, M | MEM | DR, M | OP_SPECIAL,
	M | g1a | D64,
	/* 90 nop/xchg eAX,r */
	O | DO, O | DO, O | DO, O | DO, O | DO, O | DO, O | DO, O | DO,
	/* 98 cbw cwd callf fwait pushf popf sahf lahf */
	O, O, PTR | N64, O, O | D64, O | D64, O, O,
	/* A0 mov moffs, movs, cmps */
	MOFFS, MOFFS, MOFFS, MOFFS, O, O, O, O,
	/* A8 test, stos, lods, scas */
	IB, IZ, O, O, O, O, O, O,
	/* B0 mov r8, imm8 */
	IB | DO | B, IB | DO | B, IB | DO | B, IB | DO | B,
	IB | DO | B, IB | DO | B, IB | DO | B, IB | DO | B,
	/* B8 mov r, imm */
	IV | DO, IV | DO, IV | DO, IV | DO, IV | DO, IV | DO, IV | DO, IV | DO,
	/* C0 grp2 Ib, ret Iw, ret, les lds (VEX when mod would be 3), grp11 */
	M | IB | g2 | B, M | IB | g2, IW | F64, O | F64, M | MEM | N64, M | MEM | N64, M | IB | g11b | B, M | IZ | g11v,
	/* C8 enter leave retf Iw, retf, int3, int, into, iret */
	WB | D64, O | D64, IW, O, O, IB, O | N64, O,
	/* D0 grp2 (1 / CL), aam aad salc xlat */
	M | g2 | B, M | g2, M | g2 | B, M | g2, IB | N64, IB | N64, O | N64, O,
	/* D8 x87 (checked in code) */
	M | OP_SPECIAL, M | OP_SPECIAL, M | OP_SPECIAL, M | OP_SPECIAL,
	M | OP_SPECIAL, M | OP_SPECIAL, M | OP_SPECIAL, M | OP_SPECIAL,
	/* E0 loopne loope loop jcxz in in out out */
	J8 | F64, J8 | F64, J8 | F64, J8 | F64, IB, IB, IB, IB,
	/* E8 call jmp jmpf jmp8 in in out out */
	JZ | F64, JZ | F64, PTR | N64, J8 | F64, O, O, O, O,
	/* F0 lock int1 repne rep hlt cmc grp3 */
	ESC, O, ESC, ESC, O, O, M | g3b | B, M | g3v,
	/* F8 clc stc cli sti cld std grp4 grp5 */
	O, O, O, O, O, O, M | g4 | B, M | g5,
};

const uint32_t insn_map0f[256] = {
	/* 00 grp6 grp7 lar lsl - syscall clts sysret */
	[0x00] = M | g6, [0x01] = M | g7, [0x02] = M | DR, [0x03] = M | DR,
	[0x05] = O, [0x06] = O, [0x07] = O,
	/* 08 invd wbinvd - ud2 - prefetch (hint nop with mod 3) femms 3dnow */
	[0x08] = O, [0x09] = O, [0x0b] = O, [0x0d] = M, [0x0e] = O, [0x0f] = ESC,
	/* 10 SSE moves */
	[0x10] = S_ALL, [0x11] = S_ALL, [0x12] = S_ALL, [0x13] = S_PS | MEM,
	[0x14] = S_PS, [0x15] = S_PS, [0x16] = M | NP | PD | SS, [0x17] = S_PS | MEM,
	/* 18 prefetch hints and hint-nops (MPX, CET, cldemote live here too) */
	[0x18] = M | g16, [0x19] = M, [0x1a] = M | OP_SPECIAL, [0x1b] = M | OP_SPECIAL,
	[0x1c] = M, [0x1d] = M, [0x1e] = M, [0x1f] = M,
	/* 20 mov from/to CR/DR (ModRM.mod is ignored) */
	[0x20] = M | OP_SPECIAL, [0x21] = M | OP_SPECIAL, [0x22] = M | OP_SPECIAL,
	[0x23] = M | OP_SPECIAL,
	/* 28 */
	[0x28] = S_PS, [0x29] = S_PS, [0x2a] = S_ALL, [0x2b] = S_ALL | MEM,
	[0x2c] = S_ALL, [0x2d] = S_ALL, [0x2e] = S_PS, [0x2f] = S_PS,
	/* 30 wrmsr rdtsc rdmsr rdpmc sysenter sysexit - getsec */
	[0x30] = O, [0x31] = O, [0x32] = O, [0x33] = O, [0x34] = O, [0x35] = O, [0x37] = O | NP,
	[0x38] = ESC, [0x3a] = ESC,
	/* 40 cmovcc */
	[0x40] = M | DR, [0x41] = M | DR, [0x42] = M | DR, [0x43] = M | DR,
	[0x44] = M | DR, [0x45] = M | DR, [0x46] = M | DR, [0x47] = M | DR,
	[0x48] = M | DR, [0x49] = M | DR, [0x4a] = M | DR, [0x4b] = M | DR,
	[0x4c] = M | DR, [0x4d] = M | DR, [0x4e] = M | DR, [0x4f] = M | DR,
	/* 50 */
	[0x50] = S_PS | REG | DR, [0x51] = S_ALL, [0x52] = M | NP | SS, [0x53] = M | NP | SS,
	[0x54] = S_PS, [0x55] = S_PS, [0x56] = S_PS, [0x57] = S_PS,
	[0x58] = S_ALL, [0x59] = S_ALL, [0x5a] = S_ALL, [0x5b] = M | NP | PD | SS,
	[0x5c] = S_ALL, [0x5d] = S_ALL, [0x5e] = S_ALL, [0x5f] = S_ALL,
	/* 60 MMX / SSE2 integer */
	[0x60] = MMX, [0x61] = MMX, [0x62] = MMX, [0x63] = MMX,
	[0x64] = MMX, [0x65] = MMX, [0x66] = MMX, [0x67] = MMX,
	[0x68] = MMX, [0x69] = MMX, [0x6a] = MMX, [0x6b] = MMX,
	[0x6c] = X66, [0x6d] = X66, [0x6e] = MMX, [0x6f] = M | NP | PD | SS,
	/* 70 pshuf, shift groups, pcmpeq, emms, vmread/vmwrite (SSE4a extrq/insertq) */
	[0x70] = S_ALL | IB, [0x71] = MMX | REG | g12, [0x72] = MMX | REG | g13,
	[0x73] = MMX | REG | g14,
	[0x74] = MMX, [0x75] = MMX, [0x76] = MMX, [0x77] = O | NP,
	[0x78] = M | OP_SPECIAL, [0x79] = M | OP_SPECIAL,
	[0x7c] = M | PD | SD, [0x7d] = M | PD | SD, [0x7e] = M | NP | PD | SS, [0x7f] = M | NP | PD | SS,
	/* 80 jcc rel32 */
	[0x80] = JZ | F64, [0x81] = JZ | F64, [0x82] = JZ | F64, [0x83] = JZ | F64,
	[0x84] = JZ | F64, [0x85] = JZ | F64, [0x86] = JZ | F64, [0x87] = JZ | F64,
	[0x88] = JZ | F64, [0x89] = JZ | F64, [0x8a] = JZ | F64, [0x8b] = JZ | F64,
	[0x8c] = JZ | F64, [0x8d] = JZ | F64, [0x8e] = JZ | F64, [0x8f] = JZ | F64,
	/* 90 setcc */
	[0x90] = M | DM | B, [0x91] = M | DM | B, [0x92] = M | DM | B, [0x93] = M | DM | B,
	[0x94] = M | DM | B, [0x95] = M | DM | B, [0x96] = M | DM | B, [0x97] = M | DM | B,
	[0x98] = M | DM | B, [0x99] = M | DM | B, [0x9a] = M | DM | B, [0x9b] = M | DM | B,
	[0x9c] = M | DM | B, [0x9d] = M | DM | B, [0x9e] = M | DM | B, [0x9f] = M | DM | B,
	/* A0 push fs, pop fs, cpuid, bt, shld */
	[0xa0] = O | D64, [0xa1] = O | D64, [0xa2] = O, [0xa3] = M,
	[0xa4] = M | IB | DM, [0xa5] = M | DM,
	/* A6 A7 VIA PadLock (montmul, xsha*, xstore, xcrypt*) */
	[0xa6] = M | OP_SPECIAL, [0xa7] = M | OP_SPECIAL,
	/* A8 push gs, pop gs, rsm, bts, shrd, grp15, imul */
	[0xa8] = O | D64, [0xa9] = O | D64, [0xaa] = O, [0xab] = M | L | DM,
	[0xac] = M | IB | DM, [0xad] = M | DM, [0xae] = M | g15, [0xaf] = M | DR,
	/* B0 cmpxchg, lss, btr, lfs, lgs, movzx */
	[0xb0] = M | L | DM | B, [0xb1] = M | L | DM, [0xb2] = M | MEM | DR, [0xb3] = M | L | DM,
	[0xb4] = M | MEM | DR, [0xb5] = M | MEM | DR, [0xb6] = M | DR, [0xb7] = M | DR,
	/* B8 popcnt(F3), ud1, grp8, btc, bsf/tzcnt, bsr/lzcnt, movsx */
	[0xb8] = M | SS | DR, [0xb9] = M, [0xba] = M | IB | g8, [0xbb] = M | L | DM,
	[0xbc] = M | DR, [0xbd] = M | DR, [0xbe] = M | DR, [0xbf] = M | DR,
	/* C0 xadd, cmpps, movnti, pinsrw, pextrw, shufps, grp9 */
	[0xc0] = M | L | DM | DR | B, [0xc1] = M | L | DM | DR, [0xc2] = S_ALL | IB,
	[0xc3] = M | NP | MEM, [0xc4] = MMX | IB, [0xc5] = MMX | IB | REG | DR,
	[0xc6] = S_PS | IB, [0xc7] = M | g9,
	/* C8 bswap */
	[0xc8] = O | DO, [0xc9] = O | DO, [0xca] = O | DO, [0xcb] = O | DO,
	[0xcc] = O | DO, [0xcd] = O | DO, [0xce] = O | DO, [0xcf] = O | DO,
	/* D0 */
	[0xd0] = M | PD | SD, [0xd1] = MMX, [0xd2] = MMX, [0xd3] = MMX,
	[0xd4] = MMX, [0xd5] = MMX, [0xd6] = M | PD | SS | SD, [0xd7] = MMX | REG | DR,
	[0xd8] = MMX, [0xd9] = MMX, [0xda] = MMX, [0xdb] = MMX,
	[0xdc] = MMX, [0xdd] = MMX, [0xde] = MMX, [0xdf] = MMX,
	/* E0 */
	[0xe0] = MMX, [0xe1] = MMX, [0xe2] = MMX, [0xe3] = MMX,
	[0xe4] = MMX, [0xe5] = MMX, [0xe6] = M | PD | SS | SD, [0xe7] = MMX | MEM,
	[0xe8] = MMX, [0xe9] = MMX, [0xea] = MMX, [0xeb] = MMX,
	[0xec] = MMX, [0xed] = MMX, [0xee] = MMX, [0xef] = MMX,
	/* F0 lddqu, ... maskmovq, ..., ud0 */
	[0xf0] = M | SD | MEM, [0xf1] = MMX, [0xf2] = MMX, [0xf3] = MMX,
	[0xf4] = MMX, [0xf5] = MMX, [0xf6] = MMX, [0xf7] = MMX | REG,
	[0xf8] = MMX, [0xf9] = MMX, [0xfa] = MMX, [0xfb] = MMX,
	[0xfc] = MMX, [0xfd] = MMX, [0xfe] = MMX, [0xff] = M,
};

const uint32_t insn_map0f38[256] = {
	/* 00 SSSE3 (MMX and 66 forms) */
	[0x00] = MMX, [0x01] = MMX, [0x02] = MMX, [0x03] = MMX,
	[0x04] = MMX, [0x05] = MMX, [0x06] = MMX, [0x07] = MMX,
	[0x08] = MMX, [0x09] = MMX, [0x0a] = MMX, [0x0b] = MMX,
	/* 10 SSE4.1 */
	[0x10] = X66, [0x14] = X66, [0x15] = X66, [0x17] = X66,
	[0x1c] = MMX, [0x1d] = MMX, [0x1e] = MMX,
	[0x20] = X66, [0x21] = X66, [0x22] = X66, [0x23] = X66, [0x24] = X66, [0x25] = X66,
	[0x28] = X66, [0x29] = X66, [0x2a] = X66 | MEM, [0x2b] = X66,
	[0x30] = X66, [0x31] = X66, [0x32] = X66, [0x33] = X66, [0x34] = X66, [0x35] = X66,
	[0x37] = X66, [0x38] = X66, [0x39] = X66, [0x3a] = X66, [0x3b] = X66,
	[0x3c] = X66, [0x3d] = X66, [0x3e] = X66, [0x3f] = X66,
	[0x40] = X66, [0x41] = X66,
	/* 80 invept invvpid invpcid */
	[0x80] = X66 | MEM | DR, [0x81] = X66 | MEM, [0x82] = X66 | MEM,
	/* C8 SHA */
	[0xc8] = M | NP, [0xc9] = M | NP, [0xca] = M | NP, [0xcb] = M | NP,
	[0xcc] = M | NP, [0xcd] = M | NP, [0xcf] = X66,
	/* DB AES (66), Key Locker (F3: D8 group, DC-DF, FA FB encodekey) */
	[0xd8] = M | SS, [0xdb] = X66, [0xdc] = M | PD | SS, [0xdd] = M | PD | SS,
	[0xde] = M | PD | SS, [0xdf] = M | PD | SS, [0xfa] = M | SS | REG, [0xfb] = M | SS | REG,
	/* F0 movbe / crc32, F5 wruss, F6 adcx/adox/wrss, F8 movdir64b/enqcmd, F9 movdiri */
	[0xf0] = M | NP | PD | SD | DR, [0xf1] = M | NP | PD | SD | DR,
	[0xf5] = X66 | MEM, [0xf6] = M | NP | PD | SS | DR,
	[0xf8] = M | PD | SS | SD | MEM, [0xf9] = M | NP | MEM,
};

const uint32_t insn_map0f3a[256] = {
	[0x08] = X66 | IB, [0x09] = X66 | IB, [0x0a] = X66 | IB, [0x0b] = X66 | IB,
	[0x0c] = X66 | IB, [0x0d] = X66 | IB, [0x0e] = X66 | IB, [0x0f] = MMX | IB,
	[0x14] = X66 | IB | DM, [0x15] = X66 | IB | DM, [0x16] = X66 | IB | DM,
	[0x17] = X66 | IB | DM,
	[0x20] = X66 | IB, [0x21] = X66 | IB, [0x22] = X66 | IB,
	[0x40] = X66 | IB, [0x41] = X66 | IB, [0x42] = X66 | IB, [0x44] = X66 | IB,
	[0x60] = X66 | IB, [0x61] = X66 | IB, [0x62] = X66 | IB, [0x63] = X66 | IB,
	[0xcc] = M | NP | IB, [0xce] = X66 | IB, [0xcf] = X66 | IB, [0xdf] = X66 | IB,
	[0xf0] = M | SS | IB | REG,	/* hreset: ModRM must be C0 (checked in code) */
};

/*
 * Groups.  Each row: attribute words for /0../7, memory form then register form.
 * Flags here replace the opcode's own group-dependent flags (lock, dest, prefixes).
 */
const struct insn_group_entry insn_groups[G_COUNT] = {
	[G1] = {	/* add or adc sbb and sub xor cmp */
		{ M | L | DM, M | L | DM, M | L | DM, M | L | DM, M | L | DM, M | L | DM, M | L | DM, M },
		{ M | DM, M | DM, M | DM, M | DM, M | DM, M | DM, M | DM, M },
	},
	[G1A] = {	/* pop Ev */
		{ M | DM | D64, X, X, X, X, X, X, X },
		{ M | DM | D64, X, X, X, X, X, X, X },
	},
	[G2] = {	/* rol ror rcl rcr shl shr sal sar */
		{ M | DM, M | DM, M | DM, M | DM, M | DM, M | DM, M | DM, M | DM },
		{ M | DM, M | DM, M | DM, M | DM, M | DM, M | DM, M | DM, M | DM },
	},
	[G3B] = {	/* test Ib, test Ib, not, neg, mul, imul, div, idiv */
		{ M | IB, M | IB, M | L | DM, M | L | DM, M, M, M, M },
		{ M | IB, M | IB, M | DM, M | DM, M, M, M, M },
	},
	[G3V] = {
		{ M | IZ, M | IZ, M | L | DM, M | L | DM, M, M, M, M },
		{ M | IZ, M | IZ, M | DM, M | DM, M, M, M, M },
	},
	[G4] = {	/* inc dec */
		{ M | L | DM, M | L | DM, X, X, X, X, X, X },
		{ M | DM, M | DM, X, X, X, X, X, X },
	},
	[G5] = {	/* inc dec call callf jmp jmpf push */
		{ M | L | DM, M | L | DM, M | F64, M, M | F64, M, M | D64, X },
		{ M | DM, M | DM, M | F64, X, M | F64, X, M | D64, X },
	},
	[G11B] = {	/* mov Eb,Ib; C6 F8 xabort checked in code */
		{ M | DM, X, X, X, X, X, X, X },
		{ M | DM, X, X, X, X, X, X, M | OP_SPECIAL },
	},
	[G11V] = {	/* mov Ev,Iz; C7 F8 xbegin checked in code */
		{ M | DM, X, X, X, X, X, X, X },
		{ M | DM, X, X, X, X, X, X, M | OP_SPECIAL },
	},
	[G6] = {	/* sldt str lldt ltr verr verw */
		{ M, M, M, M, M, M, X, X },
		{ M | DM, M | DM, M, M, M, M, X, X },
	},
	[G7] = {	/* sgdt sidt lgdt lidt smsw rstorssp(F3) lmsw invlpg; mod 3: insn_0f01_reg */
		{ M, M, M, M, M, M | SS, M, M },
		{ M | OP_SPECIAL, M | OP_SPECIAL, M | OP_SPECIAL, M | OP_SPECIAL,
		  M | OP_SPECIAL, M | OP_SPECIAL, M | OP_SPECIAL, M | OP_SPECIAL },
	},
	[G8] = {	/* bt bts btr btc Ib */
		{ X, X, X, X, M, M | L | DM, M | L | DM, M | L | DM },
		{ X, X, X, X, M, M | DM, M | DM, M | DM },
	},
	[G9] = {	/* cmpxchg8b/16b, xrstors xsavec xsaves, vmptrld/vmclear/vmxon, vmptrst;
			   mod 3: rdrand/senduipi (64-bit), rdseed/rdpid */
		{ X, M | L, X, M | NP, M | NP, M | NP, M | NP | PD | SS, M | NP },
		{ X, X, X, X, X, X, M | NP | PD | SS | DM | OP_SPECIAL, M | NP | PD | SS | DM },
	},
	[G12] = {	/* psrlw psraw psllw Ib */
		{ X, X, X, X, X, X, X, X },
		{ X, X, MMX | IB, X, MMX | IB, X, MMX | IB, X },
	},
	[G13] = {	/* psrld psrad pslld Ib */
		{ X, X, X, X, X, X, X, X },
		{ X, X, MMX | IB, X, MMX | IB, X, MMX | IB, X },
	},
	[G14] = {	/* psrlq psrldq(66) psllq pslldq(66) Ib */
		{ X, X, X, X, X, X, X, X },
		{ X, X, MMX | IB, X66 | IB, X, X, MMX | IB, X66 | IB },
	},
	[G15] = {	/* fxsave fxrstor ldmxcsr stmxcsr xsave xrstor xsaveopt/clwb/clrssbsy
			   clflush/clflushopt; mod 3: rd/wr fs/gs base, ptwrite, lfence/incssp,
			   mfence/tpause/umonitor/umwait, sfence */
		{ M | NP, M | NP, M | NP, M | NP, M | NP | SS, M | NP, M | NP | PD | SS, M | NP | PD },
		{ M | SS | O64 | DM, M | SS | O64 | DM, M | SS | O64, M | SS | O64, M | SS,
		  M | NP | SS, M | NP | PD | SS | SD, M | NP },
	},
	[G16] = {	/* prefetchnta t0 t1 t2, reserved hint nops */
		{ M, M, M, M, M, M, M, M },
		{ M, M, M, M, M, M, M, M },
	},
	[GP] = {	/* prefetch prefetchw prefetchwt1 (+ aliases) */
		{ M, M, M, M, M, M, M, M },
		{ X, X, X, X, X, X, X, X },
	},
	[G17] = {	/* VEX 0F38 F3: blsr blsmsk blsi */
		{ X, M, M, M, X, X, X, X },
		{ X, M, M, M, X, X, X, X },
	},
};

/*
 * 0F 01 register forms, ModRM C0..FF: accepted mandatory prefixes, bits 0-3
 * in 32-bit mode and bits 4-7 in 64-bit mode (bit 0 none, 1 66, 2 F3, 3 F2).
 */
enum {
	np = 0x11, any = 0xff,			/* in both modes */
	o66 = 0x22, f3 = 0x44, f2 = 0x88,
	o66_64 = 0x20, f3_64 = 0x40, f2_64 = 0x80,	/* 64-bit mode only */
	np_64 = 0x10, any_64 = 0xf0,
};

const uint8_t insn_0f01_reg[64] = {
	/* C0 enclv vmcall vmlaunch vmresume vmxoff pconfig */
	[0x00 ... 0x05] = np,
	/* C8 monitor mwait clac stac, CC tdcall seamret seamops, CF encls/seamcall */
	[0x08 ... 0x0b] = np, [0x0c] = o66, [0x0d ... 0x0e] = o66_64, [0x0f] = np | o66_64,
	/* D0 xgetbv xsetbv vmfunc xend xtest enclu */
	[0x10 ... 0x11] = np, [0x14 ... 0x17] = np,
	/* D8 vmrun vmmcall vmload vmsave stgi clgi skinit invlpga, E0 smsw r */
	[0x18 ... 0x27] = any,
	/* E8 serialize/setssbsy/xsusldtrk, xresldtrk, saveprevssp, uiret testui,
	   rdpkru/clui wrpkru/stui */
	[0x28] = np | f3 | f2, [0x29] = f2, [0x2a] = f3, [0x2c ... 0x2d] = f3_64,
	[0x2e ... 0x2f] = np | f3_64,
	/* F0 lmsw r */
	[0x30 ... 0x37] = any,
	/* F8 swapgs rdtscp monitorx/mcommit mwaitx clzero rdpru
	   invlpgb/rmpadjust/rmpupdate tlbsync/psmash/pvalidate */
	[0x38] = any_64, [0x39] = any, [0x3a] = np | f3, [0x3b] = np, [0x3c ... 0x3d] = any,
	[0x3e] = np | f3_64 | f2_64, [0x3f] = np | f2 | f3_64,
};

/* x87 memory forms: bit n set = ModRM.reg n is defined. */
const uint8_t insn_x87_mem[8] = {
	0xff,	/* D8 fadd fmul fcom fcomp fsub fsubr fdiv fdivr m32 */
	0xfd,	/* D9 fld - fst fstp fldenv fldcw fnstenv fnstcw */
	0xff,	/* DA fi* m32 */
	0xaf,	/* DB fild fisttp fist fistp - fld80 - fstp80 */
	0xff,	/* DC m64 */
	0xdf,	/* DD fld fisttp fst fstp frstor - fnsave fnstsw */
	0xff,	/* DE fi* m16 */
	0xff,	/* DF fild fisttp fist fistp fbld fild64 fbstp fistp64 */
};

/* x87 register forms: bit n set = ModRM byte C0+n is defined. */
const uint64_t insn_x87_reg[8] = {
	/* D8: all */
	0xffffffffffffffffull,
	/* D9: fld, fxch, fnop, fstp1, fchs fabs, ftst fxam, fld1..fldz, F0-FF */
	0xffff7f33ff01ffffull,
	/* DA: fcmovb/e/be/u, fucompp */
	0x00000200ffffffffull,
	/* DB: fcmovn*, fneni fndisi fnclex fninit fsetpm, fucomi, fcomi */
	0x00ffff1fffffffffull,
	/* DC: all */
	0xffffffffffffffffull,
	/* DD: ffree, fxch4, fst, fstp, fucom, fucomp */
	0x0000ffffffffffffull,
	/* DE: faddp fmulp fcomp5, fcompp, E0-FF */
	0xffffffff02ffffffull,
	/* DF: ffreep fxch7 fstp8 fstp9, fnstsw ax, fucomip, fcomip */
	0x00ffff01ffffffffull,
};

/* 3DNow! suffixes: pi2fw pi2fd pf2iw pf2id pfnacc pfpnacc pfcmpge pfmin pfrcp
 * pfrsqrt pfsub pfadd pfcmpgt pfmax pfrcpit1 pfrsqit1 pfsubr pfacc pfcmpeq
 * pfmul pfrcpit2 pmulhrw pswapd pavgusb. */
const uint32_t insn_3dnow[8] = {
	[0x0c / 32] = 1u << 0x0c | 1u << 0x0d | 1u << 0x1c | 1u << 0x1d,
	[0x80 / 32] = 1u << (0x8a - 0x80) | 1u << (0x8e - 0x80) | 1u << (0x90 - 0x80) |
		      1u << (0x94 - 0x80) | 1u << (0x96 - 0x80) | 1u << (0x97 - 0x80) |
		      1u << (0x9a - 0x80) | 1u << (0x9e - 0x80),
	[0xa0 / 32] = 1u << (0xa0 - 0xa0) | 1u << (0xa4 - 0xa0) | 1u << (0xa6 - 0xa0) |
		      1u << (0xa7 - 0xa0) | 1u << (0xaa - 0xa0) | 1u << (0xae - 0xa0) |
		      1u << (0xb0 - 0xa0) | 1u << (0xb4 - 0xa0) | 1u << (0xb6 - 0xa0) |
		      1u << (0xb7 - 0xa0) | 1u << (0xbb - 0xa0) | 1u << (0xbf - 0xa0),
};

/*
 * VEX, EVEX and XOP maps: which opcodes exist, with which implied mandatory
 * prefix (pp), and their immediate / ModRM shape.  Facts from the Intel SDM
 * (AVX, AVX2, AVX-512, AMX, BMI, FMA, GFNI, VAES, AVX512-FP16) and the AMD APM
 * (XOP, TBM, LWP, FMA4).  GNU range designators ([a ... b]) keep them short.
 */

enum {
	vNP = VX_NP, v66 = VX_66, vF3 = VX_F3, vF2 = VX_F2, vALL = VX_ALL,
	vIB = VX_IB, vREG = VX_REG, vMEM = VX_MEM, vVSIB = VX_VSIB, vO64 = VX_O64,
};

const uint16_t insn_vex_0f[256] = {
	[0x10 ... 0x12] = vALL, [0x13] = vNP | v66 | vMEM, [0x14 ... 0x15] = vNP | v66,
	[0x16] = vNP | v66 | vF3, [0x17] = vNP | v66 | vMEM,
	[0x28 ... 0x29] = vNP | v66, [0x2a] = vF3 | vF2, [0x2b] = vNP | v66 | vMEM,
	[0x2c ... 0x2d] = vF3 | vF2, [0x2e ... 0x2f] = vNP | v66,
	/* AVX-512 mask instructions (VEX encoded) */
	[0x41 ... 0x42] = vNP | v66 | vREG, [0x44 ... 0x47] = vNP | v66 | vREG,
	[0x4a ... 0x4b] = vNP | v66 | vREG,
	[0x50] = vNP | v66 | vREG, [0x51] = vALL, [0x52 ... 0x53] = vNP | vF3,
	[0x54 ... 0x57] = vNP | v66, [0x58 ... 0x5a] = vALL, [0x5b] = vNP | v66 | vF3,
	[0x5c ... 0x5f] = vALL,
	[0x60 ... 0x6e] = v66, [0x6f] = v66 | vF3,
	[0x70] = v66 | vF3 | vF2 | vIB, [0x71 ... 0x73] = v66 | vIB | vREG, [0x74 ... 0x76] = v66,
	[0x77] = vNP | VX_NOMODRM,
	[0x7c ... 0x7d] = v66 | vF2, [0x7e ... 0x7f] = v66 | vF3,
	[0x90] = vNP | v66, [0x91] = vNP | v66 | vMEM, [0x92 ... 0x93] = vNP | v66 | vF2 | vREG,
	[0x98 ... 0x99] = vNP | v66 | vREG,
	[0xae] = vNP | vMEM,
	[0xc2] = vALL | vIB, [0xc4] = v66 | vIB, [0xc5] = v66 | vIB | vREG, [0xc6] = vNP | v66 | vIB,
	[0xd0] = v66 | vF2, [0xd1 ... 0xd6] = v66, [0xd7] = v66 | vREG, [0xd8 ... 0xdf] = v66,
	[0xe0 ... 0xe5] = v66, [0xe6] = v66 | vF3 | vF2, [0xe7] = v66 | vMEM, [0xe8 ... 0xef] = v66,
	[0xf0] = vF2 | vMEM, [0xf1 ... 0xf6] = v66, [0xf7] = v66 | vREG, [0xf8 ... 0xfe] = v66,
};

const uint16_t insn_vex_0f38[256] = {
	[0x00 ... 0x0f] = v66, [0x13] = v66, [0x16 ... 0x19] = v66, [0x1a] = v66 | vMEM,
	[0x1c ... 0x1e] = v66, [0x20 ... 0x25] = v66, [0x28 ... 0x29] = v66, [0x2a] = v66 | vMEM,
	[0x2b] = v66, [0x2c ... 0x2f] = v66 | vMEM,
	[0x30 ... 0x41] = v66, [0x45 ... 0x47] = v66,
	/* AMX: ldtilecfg/sttilecfg/tilerelease/tilezero, tileload/store, tdp* */
	[0x49] = vNP | v66 | vF2 | vO64, [0x4b] = v66 | vF3 | vF2 | vVSIB | vO64,
	[0x5c] = vF3 | vREG | vO64, [0x5e] = vALL | vREG | vO64,
	[0x50 ... 0x53] = v66, [0x58 ... 0x59] = v66, [0x5a] = v66 | vMEM, [0x78 ... 0x79] = v66,
	[0x8c] = v66 | vMEM, [0x8e] = v66 | vMEM, [0x90 ... 0x93] = v66 | vVSIB,
	[0x96 ... 0x9f] = v66, [0xa6 ... 0xaf] = v66, [0xb6 ... 0xbf] = v66,
	[0xcf] = v66, [0xdb ... 0xdf] = v66,
	/* BMI1/BMI2 */
	[0xf2] = vNP, [0xf3] = vNP, [0xf5] = vNP | vF3 | vF2, [0xf6] = vF2, [0xf7] = vALL,
};

const uint16_t insn_vex_0f3a[256] = {
	[0x00 ... 0x02] = v66 | vIB, [0x04 ... 0x06] = v66 | vIB, [0x08 ... 0x0f] = v66 | vIB,
	[0x14 ... 0x19] = v66 | vIB, [0x1d] = v66 | vIB, [0x20 ... 0x22] = v66 | vIB,
	[0x30 ... 0x33] = v66 | vIB | vREG, [0x38 ... 0x39] = v66 | vIB, [0x40 ... 0x42] = v66 | vIB,
	[0x44] = v66 | vIB, [0x46] = v66 | vIB, [0x48 ... 0x4c] = v66 | vIB,
	/* FMA4 (AMD) */
	[0x5c ... 0x5f] = v66 | vIB, [0x68 ... 0x6f] = v66 | vIB, [0x78 ... 0x7f] = v66 | vIB,
	[0x60 ... 0x63] = v66 | vIB, [0xce ... 0xcf] = v66 | vIB, [0xdf] = v66 | vIB,
	[0xf0] = vF2 | vIB,
};

const uint16_t insn_evex_0f[256] = {
	[0x10 ... 0x12] = vALL, [0x13] = vNP | v66 | vMEM, [0x14 ... 0x15] = vNP | v66,
	[0x16] = vNP | v66 | vF3, [0x17] = vNP | v66 | vMEM,
	[0x28 ... 0x29] = vNP | v66, [0x2a] = vF3 | vF2, [0x2b] = vNP | v66 | vMEM,
	[0x2c ... 0x2d] = vF3 | vF2, [0x2e ... 0x2f] = vNP | v66,
	[0x51] = vALL, [0x54 ... 0x57] = vNP | v66, [0x58 ... 0x5a] = vALL, [0x5b] = vNP | v66 | vF3,
	[0x5c ... 0x5f] = vALL,
	[0x60 ... 0x6e] = v66, [0x6f] = v66 | vF3 | vF2,
	[0x70] = v66 | vF3 | vF2 | vIB, [0x71 ... 0x73] = v66 | vIB, [0x74 ... 0x76] = v66,
	[0x78 ... 0x79] = vALL, [0x7a ... 0x7b] = v66 | vF3 | vF2, [0x7e] = v66 | vF3,
	[0x7f] = v66 | vF3 | vF2,
	[0xc2] = vALL | vIB, [0xc4] = v66 | vIB, [0xc5] = v66 | vIB | vREG, [0xc6] = vNP | v66 | vIB,
	[0xd1 ... 0xd6] = v66, [0xd8 ... 0xdf] = v66,
	[0xe0 ... 0xe5] = v66, [0xe6] = v66 | vF3 | vF2, [0xe7] = v66 | vMEM, [0xe8 ... 0xef] = v66,
	[0xf1 ... 0xf6] = v66, [0xf8 ... 0xfe] = v66,
};

const uint16_t insn_evex_0f38[256] = {
	[0x00] = v66, [0x04] = v66, [0x0b ... 0x0d] = v66,
	[0x10 ... 0x15] = v66 | vF3, [0x16] = v66, [0x18 ... 0x19] = v66, [0x1a ... 0x1b] = v66 | vMEM,
	[0x1c ... 0x1f] = v66, [0x20 ... 0x29] = v66 | vF3, [0x2a] = v66 | vF3, [0x2b ... 0x2d] = v66,
	[0x30 ... 0x35] = v66 | vF3, [0x36 ... 0x37] = v66, [0x38 ... 0x3a] = v66 | vF3,
	[0x3b ... 0x40] = v66, [0x42 ... 0x47] = v66, [0x4c ... 0x4f] = v66,
	[0x50 ... 0x51] = v66, [0x52] = v66 | vF3 | vF2, [0x53] = v66 | vF2, [0x54 ... 0x55] = v66,
	[0x58 ... 0x59] = v66, [0x5a ... 0x5b] = v66 | vMEM, [0x62 ... 0x66] = v66, [0x68] = vF2,
	[0x70 ... 0x71] = v66, [0x72] = v66 | vF3 | vF2, [0x73] = v66,
	[0x75 ... 0x79] = v66, [0x7a ... 0x7c] = v66 | vREG, [0x7d ... 0x7f] = v66,
	[0x83] = v66, [0x88 ... 0x8b] = v66, [0x8d] = v66, [0x8f] = v66,
	[0x90 ... 0x93] = v66 | vVSIB, [0x96 ... 0x99] = v66, [0x9a ... 0x9b] = v66 | vF2,
	[0x9c ... 0x9f] = v66, [0xa0 ... 0xa3] = v66 | vVSIB, [0xa6 ... 0xa9] = v66,
	[0xaa ... 0xab] = v66 | vF2, [0xac ... 0xaf] = v66,
	[0xb4 ... 0xb5] = v66, [0xb6 ... 0xbf] = v66, [0xc4] = v66, [0xc6 ... 0xc7] = v66 | vVSIB,
	[0xc8] = v66, [0xca ... 0xcd] = v66, [0xcf] = v66, [0xdc ... 0xdf] = v66,
};

const uint16_t insn_evex_0f3a[256] = {
	[0x00 ... 0x01] = v66 | vIB, [0x03 ... 0x05] = v66 | vIB, [0x08] = vNP | v66 | vIB,
	[0x09] = v66 | vIB, [0x0a] = vNP | v66 | vIB, [0x0b] = v66 | vIB, [0x0f] = v66 | vIB,
	[0x14 ... 0x1b] = v66 | vIB, [0x1d ... 0x23] = v66 | vIB, [0x25] = v66 | vIB,
	[0x26 ... 0x27] = vNP | v66 | vIB, [0x38 ... 0x3b] = v66 | vIB, [0x3e ... 0x3f] = v66 | vIB,
	[0x42 ... 0x44] = v66 | vIB, [0x50 ... 0x51] = v66 | vIB, [0x54 ... 0x55] = v66 | vIB,
	[0x56 ... 0x57] = vNP | v66 | vIB, [0x66 ... 0x67] = vNP | v66 | vIB,
	[0x70 ... 0x73] = v66 | vIB, [0xc2] = vNP | vF3 | vIB, [0xce ... 0xcf] = v66 | vIB,
};

/* AVX512-FP16 */
const uint16_t insn_evex_map5[256] = {
	[0x10 ... 0x11] = vF3, [0x1d] = vNP | v66, [0x2a] = vF3, [0x2c ... 0x2d] = vF3,
	[0x2e ... 0x2f] = vNP, [0x51] = vNP | vF3, [0x58 ... 0x59] = vNP | vF3, [0x5a] = vALL,
	[0x5b] = vNP | v66 | vF3, [0x5c ... 0x5f] = vNP | vF3, [0x6e] = v66, [0x7e] = v66,
	[0x78 ... 0x79] = vNP | v66 | vF3, [0x7a] = v66 | vF2, [0x7b] = v66 | vF3, [0x7c] = vNP | v66,
	[0x7d] = vALL,
};

const uint16_t insn_evex_map6[256] = {
	[0x13] = vNP | v66, [0x2c ... 0x2d] = v66, [0x42 ... 0x43] = v66, [0x4c ... 0x4f] = v66,
	[0x56 ... 0x57] = vF3 | vF2, [0x96 ... 0x9f] = v66, [0xa6 ... 0xaf] = v66,
	[0xb6 ... 0xbf] = v66, [0xd6 ... 0xd7] = vF3 | vF2,
};

/* XOP (AMD): map 8 takes imm8, map A imm32 (handled in insn.c). */
const uint16_t insn_xop_8[256] = {
	[0x85 ... 0x87] = vNP | vIB, [0x8e ... 0x8f] = vNP | vIB, [0x95 ... 0x97] = vNP | vIB,
	[0x9e ... 0x9f] = vNP | vIB, [0xa2 ... 0xa3] = vNP | vIB, [0xa6] = vNP | vIB,
	[0xb6] = vNP | vIB, [0xc0 ... 0xc3] = vNP | vIB, [0xcc ... 0xcf] = vNP | vIB,
	[0xec ... 0xef] = vNP | vIB,
};

const uint16_t insn_xop_9[256] = {
	[0x01 ... 0x02] = vNP, [0x12] = vNP | vREG, [0x80 ... 0x83] = vNP, [0x90 ... 0x9b] = vNP,
	[0xc1 ... 0xc3] = vNP, [0xc6 ... 0xc7] = vNP, [0xcb] = vNP, [0xd1 ... 0xd3] = vNP,
	[0xd6 ... 0xd7] = vNP, [0xdb] = vNP, [0xe1 ... 0xe3] = vNP,
};

const uint16_t insn_xop_a[256] = {
	[0x10] = vNP, [0x12] = vNP,
};
