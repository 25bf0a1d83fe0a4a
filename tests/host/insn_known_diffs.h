/*
 * insn_known_diffs.h - the ONE table of documented disagreements between
 * lib/insn.c and Zydis 4.0 (default decoder modes).  Used by insn_fuzz.c.
 *
 * Each entry matches a class of encodings by a rule (opcode map + opcode,
 * or an encoding-field rule), never by listing fuzz inputs.  Anything the
 * fuzzer finds that no entry matches is an undocumented disagreement and
 * fails the run.
 */
#ifndef INSN_KNOWN_DIFFS_H
#define INSN_KNOWN_DIFFS_H

#include <Zydis/Zydis.h>
#include <stdbool.h>
#include <string.h>

#include "insn.h"

/* One disagreement: the input and both answers. */
struct diff_case {
	const uint8_t *bytes;
	size_t len;
	int mode;			/* 32 or 64 */
	int ours;			/* insn_decode() result */
	const struct insn *in;		/* our decode (valid when ours > 0) */
	int zy;				/* Zydis length, or -1 if it failed */
	const ZydisDecodedInstruction *zi;	/* valid when zy > 0 */
	const ZydisDecoder *dec;	/* to re-ask Zydis about variants */
};

struct known_diff {
	const char *name;
	const char *reason;
	bool (*match)(const struct diff_case *c);
};

/* ---- KNC: Zydis decodes Xeon Phi (Knights Corner) VEX opcodes in 64-bit mode */

static bool knc_vex_opcode(unsigned map, unsigned pp, unsigned op)
{
	static const uint8_t map1_np[] = { 0x18, 0x43, 0x48, 0x49, 0x84, 0x85, 0x95, 0x97 };

	if (map == ZYDIS_OPCODE_MAP_0F && pp == 0) {
		for (size_t i = 0; i < sizeof(map1_np); i++)
			if (map1_np[i] == op)
				return true;
		return false;
	}
	if (map == ZYDIS_OPCODE_MAP_0F && (pp == 2 || pp == 3))
		return op == 0xae || op == 0xb8 || op == 0xbc || op == 0xbd;
	if (map == ZYDIS_OPCODE_MAP_DEFAULT)	/* VEX map 0: jkzd / jknzd rel8 */
		return op == 0x74 || op == 0x75;
	return map == ZYDIS_OPCODE_MAP_0F3A && pp == 1 && op == 0x3e;
}

static bool match_knc(const struct diff_case *c)
{
	const ZydisDecodedInstruction *z = c->zi;

	if (c->ours >= 0 || c->zy <= 0 || c->mode != 64)
		return false;
	if (z->encoding == ZYDIS_INSTRUCTION_ENCODING_MVEX)	/* 62 with P1 bit 2 clear */
		return true;
	return z->encoding == ZYDIS_INSTRUCTION_ENCODING_VEX &&
	       knc_vex_opcode(z->opcode_map, z->raw.vex.pp, z->opcode);
}

/* ---- VEX/EVEX/XOP field constraints we do not model */

static int zydis_len(const struct diff_case *c, const uint8_t *b)
{
	ZydisDecodedInstruction zi;

	if (ZYAN_FAILED(ZydisDecoderDecodeInstruction(c->dec, NULL, b, c->len, &zi)))
		return -1;
	return zi.length;
}

/*
 * We accept the encoding, Zydis rejects it, and Zydis accepts the very same
 * opcode when only length-neutral fields are changed: VEX/EVEX.W, L (L'L),
 * vvvv(+V') set to "unused", EVEX.b/z/aaa, and the register-extension bits.
 * These are per-instruction operand rules (e.g. "VEX.L must be 0",
 * "EVEX.b with a register operand", "mask k0 not allowed") that do not
 * change the length.  The rule is checked here, not assumed.
 */
static bool match_vex_fields(const struct diff_case *c)
{
	const struct insn *in = c->in;
	uint8_t b[16];
	unsigned esc, n;

	if (c->ours <= 0 || c->zy >= 0 || in->vex_kind == INSN_VEX_NONE)
		return false;
	n = in->vex_kind == INSN_VEX_VEX2 ? 2 : in->vex_kind == INSN_VEX_EVEX ? 4 : 3;
	esc = in->opcode_offset - n;
	for (int ext = 0; ext < 2; ext++)
	for (int vp = 0; vp < 2; vp++)
	for (int vvvv = 0; vvvv < 2; vvvv++)
	for (int aaa = 0; aaa < 3; aaa++)
	for (int zb = 0; zb < 4; zb++)
	for (int w = 0; w < 2; w++)
	for (int l = 0; l < 4; l++) {
		memcpy(b, c->bytes, c->len);
		uint8_t *v = b + esc;

		if (vp && in->vex_kind != INSN_VEX_EVEX)
			continue;
		if (in->vex_kind == INSN_VEX_VEX2) {
			if (w || l > 1 || aaa || zb)
				continue;
			v[1] ^= (uint8_t)(l << 2);
			if (vvvv)
				v[1] |= 0x78;
			if (ext)
				v[1] |= 0x80;
		} else if (in->vex_kind != INSN_VEX_EVEX) {
			if (l > 1 || aaa || zb)
				continue;
			v[2] ^= (uint8_t)(w << 7 | l << 2);
			if (vvvv)
				v[2] |= 0x78;
			if (ext)
				v[1] |= 0xe0;
		} else {
			v[2] ^= (uint8_t)(w << 7);
			v[3] = (uint8_t)((v[3] & ~0x60) | ((((v[3] >> 5) & 3) + l) & 3) << 5);
			if (zb & 1)
				v[3] &= (uint8_t)~0x10;	/* b = 0 */
			if (zb & 2)
				v[3] &= (uint8_t)~0x80;	/* z = 0 */
			if (aaa)
				v[3] = (uint8_t)((v[3] & ~7) | (aaa - 1));
			if (vvvv)
				v[2] |= 0x78;
			if (vp)
				v[3] |= 0x08;		/* V' */
			if (ext)
				v[1] |= 0xf0;		/* R X B R' */
		}
		if (zydis_len(c, b) == c->ours)
			return true;
	}
	return false;
}

static const struct known_diff known_diffs[] = {
	{
		"knc",
		"Zydis decodes Knights Corner (Xeon Phi) encodings in 64-bit mode even "
		"without its KNC mode: MVEX (62 xx with P1 bit 2 clear, which EVEX reserves) "
		"and VEX opcodes kandnr, kmerge2l*, jkzd/jknzd, kconcat*, delay, clevict*, "
		"vprefetch*, popcnt/tzcnt/lzcnt/tzcnti, kextract (VEX map 0 74 75, map 0F "
		"pp0 18 43 48 49 84 85 95 97, map 0F pp F3/F2 AE B8 BC BD, map 0F3A pp 66 "
		"3E), which the VEX architecture does not define. No other CPU "
		"has them; we report them invalid.",
		match_knc,
	},
	{
		"vex-field-rules",
		"VEX/EVEX/XOP instruction whose opcode exists but whose length-neutral fields "
		"(W, L/L'L, unused vvvv/V', EVEX.b/z/aaa, R/X/B/R') break a per-instruction "
		"rule; we check map/opcode/pp/ModRM shape only (the length is the same), "
		"Zydis also checks those fields. Verified per case: Zydis accepts the same "
		"bytes with only those fields changed, with our length.",
		match_vex_fields,
	},
};

#define NUM_KNOWN_DIFFS (sizeof(known_diffs) / sizeof(known_diffs[0]))

#endif
