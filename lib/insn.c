/*
 * insn.c - x86 instruction decoder: prefixes, opcode maps, ModRM/SIB,
 * displacement and immediates, then classification (insn.attr).
 * Freestanding; the tables live in insn_tables.c.
 */
#include "insn.h"
#include "insn_tables.h"

/* Decoder state for one call. */
struct dec {
	struct insn *insn;
	const uint8_t *code;
	size_t avail;
	unsigned pos;
	bool mode64;
	uint32_t attr;		/* table attribute word of the opcode (OP_*) */
	uint16_t vex_flags;	/* VX_* word for VEX/EVEX/XOP opcodes */
};

/* ------------------------------------------------------------------ */
/* byte access */

static int need(const struct dec *d, unsigned n)
{
	if (d->pos + n > INSN_MAX_LEN)
		return INSN_ERR_TOO_LONG;
	if (d->pos + n > d->avail)
		return INSN_ERR_TRUNCATED;
	return 0;
}

static uint8_t peek(const struct dec *d, unsigned ahead)
{
	return d->code[d->pos + ahead];
}

/* Reads an n-byte little-endian value; the caller has checked need(). */
static uint64_t take(struct dec *d, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)d->code[d->pos + i] << (8 * i);
	d->pos += n;
	return v;
}

static int take_byte(struct dec *d, uint8_t *out)
{
	int err = need(d, 1);

	if (err)
		return err;
	*out = (uint8_t)take(d, 1);
	return 0;
}

/* ------------------------------------------------------------------ */
/* prefixes */

static bool is_seg_prefix(uint8_t b)
{
	return b == 0x26 || b == 0x2e || b == 0x36 || b == 0x3e || b == 0x64 || b == 0x65;
}

/* Consumes legacy prefixes and REX.  A REX followed by another prefix is
 * ignored, as the CPU does; only the last REX before the opcode counts. */
static int decode_prefixes(struct dec *d)
{
	struct insn *in = d->insn;

	for (;;) {
		int err = need(d, 1);
		uint8_t b;

		if (err)
			return err;
		b = peek(d, 0);
		if (d->mode64 && (b & 0xf0) == 0x40) {
			in->rex = b;
			d->pos++;
			continue;
		}
		if (b == 0xf0) {
			in->prefixes |= INSN_PFX_LOCK;
		} else if (b == 0xf2 || b == 0xf3) {
			in->prefixes |= b == 0xf2 ? INSN_PFX_REPNE : INSN_PFX_REP;
			in->last_rep = b;
			in->mandatory = b;	/* the last F2/F3 wins over 66 */
		} else if (b == 0x66) {
			in->prefixes |= INSN_PFX_OPSIZE;
			if (!in->mandatory)
				in->mandatory = 0x66;
		} else if (b == 0x67) {
			in->prefixes |= INSN_PFX_ADSIZE;
		} else if (is_seg_prefix(b)) {
			in->prefixes |= INSN_PFX_SEG;
			in->seg = b;
		} else {
			return 0;
		}
		in->rex = 0;
		in->num_prefixes++;
		d->pos++;
	}
}

/* ------------------------------------------------------------------ */
/* sizes */

static bool rex_w(const struct insn *in) { return (in->rex & 8) != 0; }

static void set_sizes(struct dec *d)
{
	struct insn *in = d->insn;
	bool p66 = in->prefixes & INSN_PFX_OPSIZE;
	bool p67 = in->prefixes & INSN_PFX_ADSIZE;

	if (!d->mode64) {
		in->opsize = p66 ? 2 : 4;
		in->addrsize = p67 ? 2 : 4;
		return;
	}
	in->addrsize = p67 ? 4 : 8;
	if (rex_w(in) || (d->attr & OP_F64))
		in->opsize = 8;
	else if (p66)
		in->opsize = 2;
	else
		in->opsize = (d->attr & OP_D64) ? 8 : 4;
}

/* Prefix filter bit (P_*) of the mandatory prefix in effect. */
static uint32_t mandatory_bit(const struct insn *in)
{
	switch (in->mandatory) {
	case 0x66: return P_66;
	case 0xf3: return P_F3;
	case 0xf2: return P_F2;
	default:   return P_NP;
	}
}

/* ------------------------------------------------------------------ */
/* ModRM, SIB, displacement */

static int decode_disp(struct dec *d, unsigned size)
{
	struct insn *in = d->insn;
	int err = need(d, size);

	if (err)
		return err;
	in->disp_offset = (uint8_t)d->pos;
	in->disp_size = (uint8_t)size;
	if (size == 1)
		in->disp = (int8_t)take(d, 1);
	else if (size == 2)
		in->disp = (int16_t)take(d, 2);
	else
		in->disp = (int32_t)take(d, 4);
	return 0;
}

/* Reads ModRM; register_only: the mod bits are ignored (mov CR/DR). */
static int decode_modrm(struct dec *d, bool register_only)
{
	struct insn *in = d->insn;
	unsigned disp = 0;
	int err;

	in->modrm_offset = (uint8_t)d->pos;
	err = take_byte(d, &in->modrm);
	if (err)
		return err;
	in->has_modrm = true;
	in->mod = in->modrm >> 6;
	in->reg = (in->modrm >> 3) & 7;
	in->rm = in->modrm & 7;
	if (in->mod == 3 || register_only)
		return 0;

	if (in->addrsize == 2) {	/* 16-bit addressing: no SIB */
		if (in->mod == 0 && in->rm == 6)
			disp = 2;
		else
			disp = in->mod == 1 ? 1 : in->mod == 2 ? 2 : 0;
		return disp ? decode_disp(d, disp) : 0;
	}

	if (in->rm == 4) {
		err = take_byte(d, &in->sib);
		if (err)
			return err;
		in->has_sib = true;
		in->scale = in->sib >> 6;
		in->index = (in->sib >> 3) & 7;
		in->base = in->sib & 7;
	}
	if (in->mod == 0 && in->rm == 5) {
		disp = 4;
		if (d->mode64)
			in->attr |= INSN_ATTR_RIP_REL;
	} else if (in->mod == 0 && in->has_sib && in->base == 5) {
		disp = 4;
	} else if (in->mod == 1) {
		disp = 1;
	} else if (in->mod == 2) {
		disp = 4;
	}
	return disp ? decode_disp(d, disp) : 0;
}

/* ------------------------------------------------------------------ */
/* immediates */

static unsigned zsize(const struct insn *in) { return in->opsize == 2 ? 2 : 4; }

static int read_imm(struct dec *d, unsigned size)
{
	struct insn *in = d->insn;
	int err = need(d, size);

	if (err)
		return err;
	in->imm_offset = (uint8_t)d->pos;
	in->imm_size = (uint8_t)size;
	in->imm = take(d, size);
	return 0;
}

static int read_imm2(struct dec *d, unsigned size)
{
	struct insn *in = d->insn;
	int err = need(d, size);

	if (err)
		return err;
	in->imm2_offset = (uint8_t)d->pos;
	in->imm2_size = (uint8_t)size;
	in->imm2 = (uint16_t)take(d, size);
	return 0;
}

static int decode_imm(struct dec *d, unsigned kind)
{
	struct insn *in = d->insn;
	int err;

	switch (kind) {
	case I_NONE:  return 0;
	case I_B:
	case I_J8:    return read_imm(d, 1);
	case I_W:     return read_imm(d, 2);
	case I_Z:     return read_imm(d, zsize(in));
	case I_V:     return read_imm(d, in->opsize);
	case I_MOFFS: return read_imm(d, in->addrsize);
	case I_JZ:    return read_imm(d, d->mode64 ? 4 : zsize(in));
	case I_WB:
		err = read_imm(d, 2);
		return err ? err : read_imm2(d, 1);
	case I_BB:
		err = read_imm(d, 1);
		return err ? err : read_imm2(d, 1);
	case I_PTR:	/* offset first, then the selector */
		err = read_imm(d, zsize(in));
		return err ? err : read_imm2(d, 2);
	}
	return INSN_ERR_INVALID;
}

/* ------------------------------------------------------------------ */
/* legacy maps */

/* Bits a group entry replaces in the opcode's attribute word. */
#define GROUP_REPLACES (OP_LOCK | OP_DREG | OP_DRM | P_ALL | OP_MEM | OP_REG | \
			OP_D64 | OP_F64 | OP_SPECIAL)

static uint32_t group_attr(const struct insn *in, uint32_t attr)
{
	unsigned g = attr >> OP_GROUP_SHIFT;
	const struct insn_group_entry *e = &insn_groups[g];
	uint32_t ga = in->mod == 3 ? e->reg[in->reg] : e->mem[in->reg];

	if (!ga)
		return 0;
	return (attr & ~GROUP_REPLACES & ~(0xffu << OP_GROUP_SHIFT)) | ga;
}

static bool x87_valid(const struct insn *in)
{
	unsigned i = in->opcode - 0xd8;

	if (in->mod != 3)
		return (insn_x87_mem[i] >> in->reg) & 1;
	return (insn_x87_reg[i] >> (in->modrm - 0xc0)) & 1;
}

static bool mov_seg_valid(const struct insn *in)
{
	if (in->reg > 5)
		return false;
	return in->opcode == 0x8c || in->reg != 1;	/* cannot load CS */
}

static bool mov_cr_dr_valid(const struct dec *d)
{
	const struct insn *in = d->insn;
	bool rex_r = in->rex & 4;

	if (in->opcode == 0x21 || in->opcode == 0x23)
		return !rex_r;				/* DR0-DR7 */
	if (rex_r)
		return in->reg == 0;			/* CR8 */
	return in->reg == 0 || (in->reg >= 2 && in->reg <= 4);
}

/*
 * Opcodes whose shape depends on the mandatory prefix in a way the flat
 * tables cannot say.  Returns the adjusted attribute word (0 = invalid).
 */
static uint32_t prefix_dependent(const struct dec *d, uint32_t attr)
{
	const struct insn *in = d->insn;
	uint8_t p = in->mandatory;

	if (in->map == INSN_MAP_0F) {
		switch (in->opcode) {
		case 0x12: case 0x16:		/* movlpd/movhpd: memory only */
			return p == 0x66 ? attr | OP_MEM : attr;
		case 0xd6:			/* movq2dq/movdq2q: registers only */
			return p == 0xf3 || p == 0xf2 ? attr | OP_REG : attr;
		case 0x78:			/* vmread | extrq xmm,ib,ib | insertq */
			if (p == 0xf3)
				return 0;
			if (p == 0)
				return (attr & ~OP_SPECIAL) | OP_F64;
			if (p == 0x66 && in->reg != 0)
				return 0;
			return (attr & ~OP_SPECIAL) | OP_REG | I_BB;
		case 0x79:			/* vmwrite | extrq | insertq */
			if (p == 0xf3)
				return 0;
			if (p == 0)
				return (attr & ~OP_SPECIAL) | OP_F64;
			return (attr & ~OP_SPECIAL) | OP_REG;
		}
	} else if (in->map == INSN_MAP_0F38) {
		switch (in->opcode) {
		case 0xf0: case 0xf1:		/* movbe needs memory, crc32 does not */
			return p == 0xf2 ? attr : attr | OP_MEM;
		case 0xf6:			/* wrss needs memory */
			return p == 0 ? attr | OP_MEM : attr;
		case 0xd8:			/* aes{enc,dec}wide{128,256}kl */
			return in->reg <= 3 ? attr | OP_MEM : 0;
		case 0xdd: case 0xde: case 0xdf:	/* Key Locker forms need memory */
			return p == 0xf3 ? attr | OP_MEM : attr;
		}
	} else if (in->map == INSN_MAP_0F3A && in->opcode == 0xf0) {
		return in->modrm == 0xc0 ? attr : 0;	/* hreset */
	}
	return attr;
}

/* Index 0..3 of the mandatory prefix: none, 66, F3, F2 (VEX pp order). */
static unsigned mandatory_index(const struct insn *in)
{
	switch (in->mandatory) {
	case 0x66: return 1;
	case 0xf3: return 2;
	case 0xf2: return 3;
	default:   return 0;
	}
}

/* MPX (0F 1A/1B): bound registers 0-3 only; bndldx/bndstx/bndmk need a
 * non-RIP, non-16-bit memory operand and are hint NOPs with mod == 3. */
static bool mpx_valid(const struct dec *d)
{
	const struct insn *in = d->insn;
	uint8_t p = in->mandatory;
	bool mem = in->mod != 3;
	bool sib_form = p == 0 || (p == 0xf3 && in->opcode == 0x1b);

	if (sib_form && !mem)
		return true;
	if (in->reg > 3 || (in->rex & 4))
		return false;
	if (mem && in->addrsize == 2)
		return false;
	if (sib_form && (in->attr & INSN_ATTR_RIP_REL))
		return false;
	if (p == 0x66 && !mem && (in->rm > 3 || (in->rex & 1)))
		return false;
	return true;
}

/* VIA PadLock: F3 0F A6 C0/C8/D0, 0F A7 C0 (xstore, also 66/F3), F3 0F A7 C8-E8. */
static bool padlock_valid(const struct insn *in)
{
	uint8_t m = in->modrm, p = in->mandatory;

	if (in->opcode == 0xa6)
		return p == 0xf3 && (m == 0xc0 || m == 0xc8 || m == 0xd0);
	if (m == 0xc0)
		return p != 0xf2;
	return p == 0xf3 && m >= 0xc8 && m <= 0xe8 && (m & 7) == 0;
}

/* 0F-map opcodes marked OP_SPECIAL; returns the final attribute word or 0. */
static uint32_t special_0f(const struct dec *d, uint32_t a)
{
	const struct insn *in = d->insn;
	uint8_t op = in->opcode;

	a &= ~OP_SPECIAL;
	switch (op) {
	case 0x01: {	/* register forms of group 7 */
		uint8_t ok = insn_0f01_reg[in->modrm - 0xc0] >> (d->mode64 ? 4 : 0);

		return (ok >> mandatory_index(in)) & 1 ? OP_OK | OP_MODRM : 0;
	}
	case 0x1a: case 0x1b:
		return mpx_valid(d) ? a : 0;
	case 0x20: case 0x21: case 0x22: case 0x23:
		return mov_cr_dr_valid(d) ? a | OP_F64 : 0;
	case 0xa6: case 0xa7:
		return padlock_valid(in) ? a : 0;
	case 0xc7:	/* F3 0F C7 /6: senduipi, 64-bit mode only */
		return in->mandatory == 0xf3 && !d->mode64 ? 0 : a;
	}
	return prefix_dependent(d, a | OP_SPECIAL);
}

/* Checks mode, prefix filter, ModRM.mod constraints and LOCK.  */
static int check_legacy(struct dec *d)
{
	struct insn *in = d->insn;
	uint32_t a = d->attr;

	if (!(a & OP_OK))
		return INSN_ERR_INVALID;
	if ((a & OP_INV64) && d->mode64)
		return INSN_ERR_INVALID;
	if ((a & OP_ONLY64) && !d->mode64)
		return INSN_ERR_INVALID;
	if ((a & P_ALL) && !(a & mandatory_bit(in)))
		return INSN_ERR_INVALID;
	if (in->has_modrm) {
		if ((a & OP_MEM) && in->mod == 3)
			return INSN_ERR_INVALID;
		if ((a & OP_REG) && in->mod != 3)
			return INSN_ERR_INVALID;
	}
	if (in->prefixes & INSN_PFX_LOCK) {
		if (!(a & OP_LOCK) || in->mod == 3)
			return INSN_ERR_INVALID;
		in->attr |= INSN_ATTR_LOCK;
	}
	return 0;
}

/* Resolves groups and the special opcodes after ModRM is known. */
static int resolve_modrm_opcode(struct dec *d)
{
	struct insn *in = d->insn;
	uint32_t a = d->attr;

	if (a >> OP_GROUP_SHIFT) {
		a = group_attr(in, a);
		if (!a)
			return INSN_ERR_INVALID;
	}
	if (in->map == INSN_MAP_1BYTE && (a & OP_SPECIAL)) {
		uint8_t op = in->opcode;

		if (op >= 0xd8 && op <= 0xdf) {
			if (!x87_valid(in))
				return INSN_ERR_INVALID;
			in->attr |= INSN_ATTR_X87;
		} else if (op == 0x8c || op == 0x8e) {
			if (!mov_seg_valid(in))
				return INSN_ERR_INVALID;
		} else if (op == 0x63) {
			a |= d->mode64 ? OP_DREG : OP_DRM;
		} else if (op == 0xc6 || op == 0xc7) {	/* xabort ib / xbegin rel */
			if (in->modrm != 0xf8)
				return INSN_ERR_INVALID;
			if (op == 0xc7)	/* rel16 with 66 even in 64-bit mode */
				a = (a & ~OP_IMM_MASK) | I_Z;
		}
		a &= ~OP_SPECIAL;
	} else if (in->map == INSN_MAP_0F && (a & OP_SPECIAL)) {
		a = special_0f(d, a);
		if (!a)
			return INSN_ERR_INVALID;
	} else if (in->map == INSN_MAP_0F38 || in->map == INSN_MAP_0F3A) {
		a = prefix_dependent(d, a);
		if (!a)
			return INSN_ERR_INVALID;
	} else if (in->map == INSN_MAP_0F && (in->opcode == 0x12 || in->opcode == 0x16 ||
					      in->opcode == 0xd6)) {
		a = prefix_dependent(d, a);
	}
	d->attr = a;
	return check_legacy(d);
}

static int decode_3dnow(struct dec *d)
{
	struct insn *in = d->insn;
	uint8_t suffix;
	int err = decode_modrm(d, false);

	if (err)
		return err;
	in->opcode_offset = (uint8_t)d->pos;
	err = take_byte(d, &suffix);
	if (err)
		return err;
	in->map = INSN_MAP_3DNOW;
	in->opcode = suffix;
	if (!((insn_3dnow[suffix / 32] >> (suffix % 32)) & 1))
		return INSN_ERR_INVALID;
	d->attr = OP_OK | OP_MODRM;	/* 66/F2/F3 are accepted and ignored */
	return check_legacy(d);
}

/* The opcode byte and its escapes; sets in->map, in->opcode and d->attr. */
static int read_legacy_opcode(struct dec *d)
{
	struct insn *in = d->insn;
	uint8_t b;
	int err;

	in->opcode_offset = (uint8_t)d->pos;
	err = take_byte(d, &b);
	if (err)
		return err;
	if (b != 0x0f) {
		in->map = INSN_MAP_1BYTE;
		in->opcode = b;
		d->attr = insn_map1[b];
		return 0;
	}
	in->opcode_offset = (uint8_t)d->pos;
	err = take_byte(d, &b);
	if (err)
		return err;
	if (b == 0x38 || b == 0x3a) {
		in->map = b == 0x38 ? INSN_MAP_0F38 : INSN_MAP_0F3A;
		in->opcode_offset = (uint8_t)d->pos;
		err = take_byte(d, &in->opcode);
		if (err)
			return err;
		d->attr = (b == 0x38 ? insn_map0f38 : insn_map0f3a)[in->opcode];
		return 0;
	}
	in->map = INSN_MAP_0F;
	in->opcode = b;
	d->attr = insn_map0f[b];
	return 0;
}

static int decode_legacy(struct dec *d)
{
	struct insn *in = d->insn;
	int err = read_legacy_opcode(d);

	if (err)
		return err;
	if (in->map == INSN_MAP_0F && in->opcode == 0x0f) {
		set_sizes(d);
		return decode_3dnow(d);
	}
	/* Opsize before ModRM only matters for addresses (67), which is fixed. */
	set_sizes(d);
	if (d->attr & OP_MODRM) {
		bool reg_only = in->map == INSN_MAP_0F && in->opcode >= 0x20 && in->opcode <= 0x23;

		err = decode_modrm(d, reg_only);
		if (err)
			return err;
		if (reg_only)
			in->mod = 3;
		err = resolve_modrm_opcode(d);
	} else {
		err = check_legacy(d);
	}
	if (err)
		return err;
	set_sizes(d);	/* group members may be default-64 (FF /2 /4 /6) */
	return decode_imm(d, d->attr & OP_IMM_MASK);
}

/* ------------------------------------------------------------------ */
/* VEX / XOP / EVEX */

/* Is C4/C5/62/8F at the current position a VEX-style prefix? */
static bool is_vex_escape(const struct dec *d, uint8_t b)
{
	uint8_t next;

	if (b != 0xc4 && b != 0xc5 && b != 0x62 && b != 0x8f)
		return false;
	if (need(d, 2))
		return b != 0x8f && d->mode64;	/* let the VEX path report truncation */
	next = peek(d, 1);
	if (b == 0x8f)
		return (next & 0x1f) >= 8;	/* XOP map select; else POP Ev */
	/* In 32-bit mode these are LES/LDS/BOUND unless ModRM.mod would be 3. */
	return d->mode64 || (next & 0xc0) == 0xc0;
}

static const uint16_t *vex_table(const struct insn *in)
{
	if (in->vex_kind == INSN_VEX_XOP) {
		switch (in->map) {
		case INSN_MAP_XOP8: return insn_xop_8;
		case INSN_MAP_XOP9: return insn_xop_9;
		case INSN_MAP_XOPA: return insn_xop_a;
		}
		return NULL;
	}
	if (in->vex_kind == INSN_VEX_EVEX) {
		switch (in->map) {
		case INSN_MAP_0F:    return insn_evex_0f;
		case INSN_MAP_0F38:  return insn_evex_0f38;
		case INSN_MAP_0F3A:  return insn_evex_0f3a;
		case INSN_MAP_EVEX5: return insn_evex_map5;
		case INSN_MAP_EVEX6: return insn_evex_map6;
		}
		return NULL;
	}
	switch (in->map) {
	case INSN_MAP_0F:   return insn_vex_0f;
	case INSN_MAP_0F38: return insn_vex_0f38;
	case INSN_MAP_0F3A: return insn_vex_0f3a;
	}
	return NULL;
}

/* Reads the 2-4 prefix bytes into insn->vex_* and sets the map. */
static int read_vex_prefix(struct dec *d, uint8_t esc)
{
	struct insn *in = d->insn;
	unsigned n = esc == 0xc5 ? 2 : esc == 0x62 ? 4 : 3;
	uint8_t *v = in->vex_bytes;
	int err = need(d, n);

	if (err)
		return err;
	for (unsigned i = 0; i < n; i++)
		v[i] = (uint8_t)take(d, 1);

	if (esc == 0xc5) {
		in->vex_kind = INSN_VEX_VEX2;
		in->map = INSN_MAP_0F;
		in->rex = 0x40 | ((~v[1] >> 5) & 4);
		in->vex_vvvv = (~v[1] >> 3) & 15;
		in->vex_l = (v[1] >> 2) & 1;
		in->vex_pp = v[1] & 3;
		return 0;
	}
	in->rex = 0x40 | ((~v[1] >> 5) & 7) | ((v[2] >> 4) & 8);
	in->vex_w = v[2] >> 7;
	in->vex_vvvv = (~v[2] >> 3) & 15;
	in->vex_pp = v[2] & 3;
	if (esc == 0x62) {
		in->vex_kind = INSN_VEX_EVEX;
		in->map = v[1] & 7;
		if ((v[1] & 0x08) || !(v[2] & 0x04))	/* reserved bits */
			return INSN_ERR_INVALID;
		in->vex_l = (v[3] >> 5) & 3;
		in->vex_vvvv |= (~v[3] & 8) << 1;	/* V' */
		return 0;
	}
	in->vex_kind = esc == 0xc4 ? INSN_VEX_VEX3 : INSN_VEX_XOP;
	in->map = v[1] & 0x1f;
	in->vex_l = (v[2] >> 2) & 1;
	return 0;
}

/* ModRM.reg restrictions of VEX-space groups. */
static bool vex_group_valid(const struct insn *in)
{
	bool evex = in->vex_kind == INSN_VEX_EVEX;
	uint8_t r = in->reg;

	if (in->vex_kind == INSN_VEX_XOP) {
		if (in->map == INSN_MAP_XOP9 && in->opcode == 0x01)
			return r != 0;
		if (in->map == INSN_MAP_XOP9 && in->opcode == 0x02)
			return r == 1 || r == 6;
		if (in->opcode == 0x12)		/* llwpcb/slwpcb, lwpins/lwpval */
			return r <= 1;
		return true;
	}
	switch (in->map) {
	case INSN_MAP_0F:
		switch (in->opcode) {
		case 0x71: return r == 2 || r == 4 || r == 6;
		case 0x72: return r == 2 || r == 4 || r == 6 || (evex && r <= 1);
		case 0x73: return r == 2 || r == 3 || r == 6 || r == 7;
		case 0xae: return r == 2 || r == 3;
		}
		break;
	case INSN_MAP_0F38:
		switch (in->opcode) {
		case 0xf3: return r >= 1 && r <= 3;
		case 0xc6: case 0xc7: return r == 1 || r == 2 || r == 5 || r == 6;
		case 0x49:	/* ldtilecfg/sttilecfg /0 mem, tilerelease C0, tilezero */
			if (in->vex_pp == 3)
				return in->mod == 3 && in->rm == 0;
			if (in->mod == 3)
				return in->vex_pp == 0 && in->modrm == 0xc0;
			return r == 0;
		}
		break;
	}
	return true;
}

/* Full register numbers of a VEX/EVEX instruction (0-31). */
static unsigned vreg_reg(const struct insn *in)
{
	unsigned r = in->reg | (in->rex & 4 ? 8 : 0);

	if (in->mode == 32)
		return in->reg;
	if (in->vex_kind == INSN_VEX_EVEX && !(in->vex_bytes[1] & 0x10))
		r |= 16;	/* R' */
	return r;
}

static unsigned vreg_rm(const struct insn *in)
{
	unsigned r = in->rm | (in->rex & 1 ? 8 : 0);

	if (in->mode == 32)
		return in->rm;
	if (in->vex_kind == INSN_VEX_EVEX && !(in->vex_bytes[1] & 0x40))
		r |= 16;	/* X extends rm for vector registers */
	return r;
}

static unsigned vreg_index(const struct insn *in)
{
	unsigned r = in->index | (in->rex & 2 ? 8 : 0);

	if (in->mode == 32)
		return in->index;
	if (in->vex_kind == INSN_VEX_EVEX && !(in->vex_bytes[3] & 0x08))
		r |= 16;	/* V' extends a vector index */
	return r;
}

/*
 * Operand rules that make an encoding #UD although the opcode exists:
 * memory-only / register-only forms selected by pp, gathers whose
 * destination, index and mask overlap, AMX tiles that overlap, and the
 * FP16 complex multiplies whose destination overlaps a source.
 */
static bool vex_operands_valid(const struct dec *d)
{
	const struct insn *in = d->insn;
	bool evex = in->vex_kind == INSN_VEX_EVEX;
	uint8_t op = in->opcode;
	uint16_t f = d->vex_flags;

	if ((f & VX_REG) && in->mod != 3)
		return false;
	if ((f & VX_MEM) && in->mod == 3)
		return false;
	if ((f & VX_VSIB) && !in->has_sib)
		return false;
	if (in->vex_kind == INSN_VEX_XOP)
		return true;

	if (in->map == INSN_MAP_0F && (op == 0x12 || op == 0x16) && in->vex_pp == 1)
		return in->mod != 3;			/* vmovlpd / vmovhpd */
	if (in->map == INSN_MAP_0F38) {
		if (evex && in->vex_pp == 2 && ((op >= 0x28 && op <= 0x2a) || (op >= 0x38 && op <= 0x3a)))
			return in->mod == 3;		/* vpmovm2*, vpbroadcastm* */
		if (evex && in->vex_pp == 1 && op == 0x2a)
			return in->mod != 3;		/* vmovntdqa */
		if (evex && in->vex_pp == 3 && (op == 0x52 || op == 0x53 || op == 0x9a ||
						op == 0x9b || op == 0xaa || op == 0xab))
			return in->mod != 3;		/* 4FMAPS / 4VNNIW: v4f*, vp4dpwssd* */
		if (op >= 0x90 && op <= 0x93) {	/* gathers */
			unsigned dst = vreg_reg(in), idx = vreg_index(in);

			if (dst == idx)
				return false;
			if (!evex && (dst == in->vex_vvvv || idx == in->vex_vvvv))
				return false;
		}
		if (!evex && (op == 0x5c || op == 0x5e)) {	/* AMX tdp*: tmm0-7, distinct */
			unsigned a = vreg_reg(in), b = vreg_rm(in), c = in->vex_vvvv;

			return a < 8 && b < 8 && c < 8 && a != b && a != c && b != c;
		}
	}
	if (evex && in->map == INSN_MAP_EVEX6 && in->vex_pp >= 2 &&
	    (op == 0x56 || op == 0x57 || op == 0xd6 || op == 0xd7)) {
		unsigned dst = vreg_reg(in);		/* complex FP16 multiply */

		if (dst == in->vex_vvvv || (in->mod == 3 && dst == vreg_rm(in)))
			return false;
	}
	return true;
}

static int decode_vex(struct dec *d, uint8_t esc)
{
	struct insn *in = d->insn;
	const uint16_t *table;
	uint16_t f;
	int err;

	/* 66/F2/F3/LOCK or REX before a VEX-style prefix is #UD. */
	if (in->prefixes & (INSN_PFX_LOCK | INSN_PFX_OPSIZE | INSN_PFX_REP | INSN_PFX_REPNE) ||
	    in->rex)
		return INSN_ERR_INVALID;
	err = read_vex_prefix(d, esc);
	if (err)
		return err;
	if (!d->mode64) {
		/* 32-bit mode: no register extensions, vvvv bit 3 is ignored, and
		 * EVEX.V' must be 1 (as Zydis; the SDM reserves it) */
		in->rex = 0;
		in->vex_vvvv &= 7;
		if (in->vex_kind == INSN_VEX_EVEX && !(in->vex_bytes[3] & 0x08))
			return INSN_ERR_INVALID;
	}
	table = vex_table(in);
	if (!table)
		return INSN_ERR_INVALID;
	in->mandatory = (const uint8_t[]){ 0, 0x66, 0xf3, 0xf2 }[in->vex_pp];

	in->opcode_offset = (uint8_t)d->pos;
	err = take_byte(d, &in->opcode);
	if (err)
		return err;
	f = table[in->opcode];
	d->vex_flags = f;
	if (!(f & (1u << in->vex_pp)))
		return INSN_ERR_INVALID;
	if ((f & VX_O64) && !d->mode64)
		return INSN_ERR_INVALID;

	in->addrsize = d->mode64 ? ((in->prefixes & INSN_PFX_ADSIZE) ? 4 : 8)
				 : ((in->prefixes & INSN_PFX_ADSIZE) ? 2 : 4);
	in->opsize = (d->mode64 && in->vex_w) ? 8 : 4;
	if (!(f & VX_NOMODRM)) {
		err = decode_modrm(d, false);
		if (err)
			return err;
		if (!vex_group_valid(in) || !vex_operands_valid(d))
			return INSN_ERR_INVALID;
	}
	if (in->map == INSN_MAP_XOPA)
		return read_imm(d, 4);
	if (f & VX_IB)
		return read_imm(d, 1);
	return 0;
}

/* ------------------------------------------------------------------ */
/* classification */

/* Register number written through a table DREG/DRM/DOPREG flag, -1 if none. */
static int sp_write_target(const struct insn *in, uint32_t a)
{
	bool rex_r = in->rex & 4, rex_b = in->rex & 1;
	int r = -1;

	if ((a & OP_DREG) && in->has_modrm)
		r = in->reg | (rex_r ? 8 : 0);
	if (r != 4 && (a & OP_DRM) && in->has_modrm && in->mod == 3)
		r = in->rm | (rex_b ? 8 : 0);
	if (r != 4 && (a & OP_DOPREG))
		r = (in->opcode & 7) | (rex_b ? 8 : 0);
	/* byte registers: number 4 is AH unless a REX prefix is present */
	if (r == 4 && (a & OP_BYTE) && !in->rex)
		return -1;
	return r;
}

/* SSE/VEX instructions that write a general register (destination SP). */
static bool simd_writes_sp(const struct insn *in)
{
	bool rex_r = in->rex & 4, rex_b = in->rex & 1;
	int reg = in->reg | (rex_r ? 8 : 0);
	int rm = in->mod == 3 ? (in->rm | (rex_b ? 8 : 0)) : -1;
	bool vex = in->vex_kind != INSN_VEX_NONE;
	uint8_t p = in->mandatory;

	if (!in->has_modrm)
		return false;
	if (in->map == INSN_MAP_0F) {
		switch (in->opcode) {
		case 0x2c: case 0x2d: return (p == 0xf2 || p == 0xf3) && reg == 4;
		case 0x50: case 0xd7: case 0xc5: return reg == 4;
		case 0x7e: return p != 0xf3 && rm == 4;
		case 0x78: return !vex && p == 0 && rm == 4;
		case 0x93: return vex && reg == 4;
		}
	} else if (in->map == INSN_MAP_0F3A) {
		if (in->opcode >= 0x14 && in->opcode <= 0x17)
			return rm == 4;
		if (vex && in->opcode == 0xf0)
			return reg == 4;
	} else if (in->map == INSN_MAP_0F38 && vex) {
		switch (in->opcode) {
		case 0xf2: case 0xf5: case 0xf7: return reg == 4;
		case 0xf6: return reg == 4 || in->vex_vvvv == 4;
		case 0xf3: return in->vex_vvvv == 4;
		}
	} else if (in->vex_kind == INSN_VEX_XOP && in->map == INSN_MAP_XOP9) {
		if (in->opcode == 0x01 || in->opcode == 0x02)
			return in->vex_vvvv == 4;
	} else if (in->vex_kind == INSN_VEX_XOP && in->map == INSN_MAP_XOPA) {
		return in->opcode == 0x10 && reg == 4;
	}
	return false;
}

static void stack_op(struct insn *in, uint32_t kind, int32_t delta)
{
	in->attr |= kind | INSN_ATTR_STACK | INSN_ATTR_SP_DELTA;
	in->stack_delta = delta;
}

static void set_branch(struct insn *in, enum insn_branch kind)
{
	in->branch = (uint8_t)kind;
	in->attr |= INSN_ATTR_REL_BRANCH;
}

/* Size of a return address / near stack slot. */
static int near_slot(const struct insn *in)
{
	return in->mode == 64 ? (in->opsize == 2 ? 2 : 8) : in->opsize;
}

static void classify_map1(struct insn *in)
{
	uint8_t op = in->opcode;
	int s = in->opsize;

	switch (op) {
	case 0x06: case 0x0e: case 0x16: case 0x1e:
	case 0x50: case 0x51: case 0x52: case 0x53: case 0x54: case 0x55: case 0x56: case 0x57:
	case 0x68: case 0x6a: case 0x9c:
		stack_op(in, INSN_ATTR_PUSH, -s);
		break;
	case 0x07: case 0x17: case 0x1f:
		stack_op(in, INSN_ATTR_POP, s);
		in->attr |= INSN_ATTR_MOV_SEG;
		break;
	case 0x58: case 0x59: case 0x5a: case 0x5b: case 0x5c: case 0x5d: case 0x5e: case 0x5f:
		stack_op(in, INSN_ATTR_POP, s);
		break;
	case 0x8f:
		stack_op(in, INSN_ATTR_POP, s);
		break;
	case 0x9d:
		stack_op(in, INSN_ATTR_POP, s);
		in->attr |= INSN_ATTR_IF;
		break;
	case 0x60: stack_op(in, INSN_ATTR_PUSH, -8 * s); break;
	case 0x61: stack_op(in, INSN_ATTR_POP, 8 * s); break;
	case 0x6c: case 0x6d: case 0x6e: case 0x6f:
		in->attr |= INSN_ATTR_IO;
		/* fallthrough */
	case 0xa4: case 0xa5: case 0xa6: case 0xa7:
	case 0xaa: case 0xab: case 0xac: case 0xad: case 0xae: case 0xaf:
		if (in->last_rep)
			in->attr |= INSN_ATTR_REP;
		break;
	case 0x8e: case 0xc4: case 0xc5:
		in->attr |= INSN_ATTR_MOV_SEG;
		break;
	case 0x9a:
		in->attr |= INSN_ATTR_FAR_CALL;
		stack_op(in, INSN_ATTR_PUSH, -2 * s);
		break;
	case 0xc2: case 0xc3:
		in->attr |= INSN_ATTR_RET;
		stack_op(in, INSN_ATTR_POP, near_slot(in) + (op == 0xc2 ? (int)in->imm : 0));
		break;
	case 0xca: case 0xcb:
		in->attr |= INSN_ATTR_FAR_RET;
		stack_op(in, INSN_ATTR_POP, 2 * s + (op == 0xca ? (int)in->imm : 0));
		break;
	case 0xc6: case 0xc7:
		if (in->reg == 7 && op == 0xc7)
			set_branch(in, INSN_BR_XBEGIN);
		else if (in->reg == 7)
			in->attr |= INSN_ATTR_TRAP;	/* xabort */
		break;
	case 0xc8: {
		int level = in->imm2 & 31;
		int slots = level ? level + 1 : 1;

		stack_op(in, INSN_ATTR_PUSH, -(slots * s + (int)in->imm));
		break;
	}
	case 0xc9:
		in->attr |= INSN_ATTR_POP | INSN_ATTR_STACK | INSN_ATTR_WRITES_SP;
		break;
	case 0xcc: case 0xcd: case 0xce: case 0xf1:
		in->attr |= INSN_ATTR_INT;
		break;
	case 0xcf:
		in->attr |= INSN_ATTR_IRET | INSN_ATTR_POP | INSN_ATTR_STACK | INSN_ATTR_IF;
		break;
	case 0xe0: case 0xe1: case 0xe2: set_branch(in, INSN_BR_LOOP); break;
	case 0xe3: set_branch(in, INSN_BR_JCXZ); break;
	case 0xe8:
		set_branch(in, INSN_BR_CALL);
		stack_op(in, INSN_ATTR_PUSH, -near_slot(in));
		break;
	case 0xe9: set_branch(in, INSN_BR_JMP32); break;
	case 0xeb: set_branch(in, INSN_BR_JMP8); break;
	case 0xea: in->attr |= INSN_ATTR_FAR_JMP; break;
	case 0xe4: case 0xe5: case 0xe6: case 0xe7:
	case 0xec: case 0xed: case 0xee: case 0xef:
		in->attr |= INSN_ATTR_IO;
		break;
	case 0xf4: in->attr |= INSN_ATTR_HLT | INSN_ATTR_PRIVILEGED; break;
	case 0xfa: case 0xfb: in->attr |= INSN_ATTR_IF; break;
	case 0xff:
		switch (in->reg) {
		case 2:
			in->attr |= INSN_ATTR_INDIRECT_CALL;
			stack_op(in, INSN_ATTR_PUSH, -near_slot(in));
			break;
		case 3:
			in->attr |= INSN_ATTR_FAR_CALL;
			stack_op(in, INSN_ATTR_PUSH, -2 * (s == 2 ? 2 : s == 8 ? 8 : 4));
			break;
		case 4: in->attr |= INSN_ATTR_INDIRECT_JMP; break;
		case 5: in->attr |= INSN_ATTR_FAR_JMP; break;
		case 6: stack_op(in, INSN_ATTR_PUSH, -s); break;
		}
		break;
	default:
		if (op >= 0x70 && op <= 0x7f)
			set_branch(in, INSN_BR_JCC8);
		break;
	}
}

static void classify_0f01(struct insn *in)
{
	if (in->mod != 3) {
		/* lgdt lidt lmsw invlpg; rstorssp */
		if (in->reg == 2 || in->reg == 3 || in->reg == 6 || in->reg == 7)
			in->attr |= INSN_ATTR_PRIVILEGED;
		return;
	}
	switch (in->modrm) {
	case 0xc8: case 0xfa:			/* monitor, monitorx */
		in->attr |= INSN_ATTR_PRIVILEGED;
		break;
	case 0xc9: case 0xfb:			/* mwait, mwaitx */
		in->attr |= INSN_ATTR_HLT | INSN_ATTR_PRIVILEGED;
		break;
	case 0xca: case 0xcb: case 0xd1: case 0xf8:	/* clac stac xsetbv swapgs */
		in->attr |= INSN_ATTR_PRIVILEGED;
		break;
	case 0xd0: case 0xd5: case 0xd6: case 0xe8: case 0xea: case 0xee: case 0xef:
	case 0xf9: case 0xfc: case 0xfd:	/* xgetbv xend xtest serialize rdpkru rdtscp .. */
		break;
	default:
		if (in->modrm >= 0xe0 && in->modrm <= 0xe7)	/* smsw r */
			break;
		if (in->modrm >= 0xf0 && in->modrm <= 0xf7)	/* lmsw r */
			in->attr |= INSN_ATTR_PRIVILEGED;
		else	/* VMX/SVM/SGX leaves and vmcall-like exits */
			in->attr |= INSN_ATTR_PRIVILEGED | INSN_ATTR_TRAP;
		break;
	}
}

static void classify_map0f(struct insn *in)
{
	uint8_t op = in->opcode;
	int s = in->opsize;

	switch (op) {
	case 0x00:
		if (in->reg == 2 || in->reg == 3)	/* lldt ltr */
			in->attr |= INSN_ATTR_PRIVILEGED;
		break;
	case 0x01: classify_0f01(in); break;
	case 0x05: case 0x34: in->attr |= INSN_ATTR_SYSCALL; break;
	case 0x07: case 0x35: in->attr |= INSN_ATTR_SYSCALL | INSN_ATTR_PRIVILEGED; break;
	case 0x06: case 0x08: case 0x09: case 0x30: case 0x32:	/* clts invd wbinvd wrmsr rdmsr */
	case 0x20: case 0x21: case 0x22: case 0x23:		/* mov cr/dr */
		in->attr |= INSN_ATTR_PRIVILEGED;
		break;
	case 0x0b: case 0xb9: case 0xff: case 0x37:		/* ud2 ud1 ud0 getsec */
		in->attr |= INSN_ATTR_TRAP;
		break;
	case 0xaa:						/* rsm */
		in->attr |= INSN_ATTR_TRAP | INSN_ATTR_PRIVILEGED;
		break;
	case 0xa0: case 0xa8: stack_op(in, INSN_ATTR_PUSH, -s); break;
	case 0xa1: case 0xa9:
		stack_op(in, INSN_ATTR_POP, s);
		in->attr |= INSN_ATTR_MOV_SEG;
		break;
	case 0xb2: case 0xb4: case 0xb5: in->attr |= INSN_ATTR_MOV_SEG; break;
	case 0xc7:
		if (in->mod != 3 && in->reg >= 6)		/* vmptrld vmclear vmxon vmptrst */
			in->attr |= INSN_ATTR_PRIVILEGED;
		break;
	case 0x78: case 0x79:
		if (!in->mandatory)				/* vmread vmwrite */
			in->attr |= INSN_ATTR_PRIVILEGED;
		break;
	default:
		if (op >= 0x80 && op <= 0x8f)
			set_branch(in, INSN_BR_JCC32);
		break;
	}
}

static void classify(struct dec *d)
{
	struct insn *in = d->insn;

	if (in->vex_kind == INSN_VEX_NONE) {
		int r = sp_write_target(in, d->attr);

		if (r == 4)
			in->attr |= INSN_ATTR_WRITES_SP;
		if (in->map == INSN_MAP_1BYTE)
			classify_map1(in);
		else if (in->map == INSN_MAP_0F)
			classify_map0f(in);
		else if (in->map == INSN_MAP_0F38 && in->opcode >= 0x80 && in->opcode <= 0x82)
			in->attr |= INSN_ATTR_PRIVILEGED;	/* invept invvpid invpcid */
	}
	if (simd_writes_sp(in))
		in->attr |= INSN_ATTR_WRITES_SP;
	/* pop into SP loads it: the net change is not a simple delta */
	if ((in->attr & INSN_ATTR_WRITES_SP) && (in->attr & INSN_ATTR_STACK))
		in->attr &= ~INSN_ATTR_SP_DELTA;
	if (!(in->attr & INSN_ATTR_SP_DELTA))
		in->stack_delta = 0;
}

/* ------------------------------------------------------------------ */
/* entry points */

static void clear(struct insn *in)
{
	uint8_t *p = (uint8_t *)in;

	for (size_t i = 0; i < sizeof(*in); i++)
		p[i] = 0;
}

int insn_decode(struct insn *insn, const void *code, size_t avail, enum insn_mode mode)
{
	struct dec d = {
		.insn = insn, .code = code, .avail = avail, .mode64 = mode == INSN_MODE_64,
	};
	int err;

	clear(insn);
	insn->mode = d.mode64 ? 64 : 32;
	err = decode_prefixes(&d);
	if (err)
		return err;
	if (is_vex_escape(&d, peek(&d, 0))) {
		err = decode_vex(&d, peek(&d, 0));
	} else {
		err = decode_legacy(&d);
	}
	if (err)
		return err;
	insn->length = (uint8_t)d.pos;
	classify(&d);
	return insn->length;
}

int64_t insn_imm_signed(const struct insn *insn)
{
	switch (insn->imm_size) {
	case 1: return (int8_t)insn->imm;
	case 2: return (int16_t)insn->imm;
	case 4: return (int32_t)insn->imm;
	default: return (int64_t)insn->imm;
	}
}

uint64_t insn_branch_target(const struct insn *insn, uint64_t insn_addr)
{
	uint64_t next = insn_addr + insn->length;
	uint64_t target;

	if (!(insn->attr & INSN_ATTR_REL_BRANCH))
		return next;
	target = next + (uint64_t)insn_imm_signed(insn);
	if (insn->mode == 32)
		target &= insn->opsize == 2 ? 0xffffu : 0xffffffffu;
	return target;
}
