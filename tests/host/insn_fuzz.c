/*
 * insn_fuzz.c - differential fuzzing of lib/insn.c against Zydis 4.0.
 *
 *   insn_fuzz [-n COUNT] [-s SEED] [-t SECONDS] [-m 32|64] [-v]
 *
 * Generates reproducible pseudo-random instruction-shaped byte strings
 * (prefixes, REX, 0F/0F38/0F3A/3DNow escapes, VEX2/VEX3/EVEX/XOP, ModRM/SIB
 * forms, and occasionally short buffers), decodes each with both decoders
 * and compares validity and length.  A disagreement is either matched by
 * the documented table in insn_known_diffs.h or counted as undocumented.
 * Without -m both modes run.  Last line: "N passed, M failed" (per mode).
 */
#include <Zydis/Zydis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "insn.h"
#include "insn_known_diffs.h"

#define MAX_SHOWN 12

static uint64_t rng_state;

/* splitmix64: small, fast and reproducible */
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }
static uint8_t byte(void) { return (uint8_t)rnd(); }
static bool chance(unsigned percent) { return below(100) < percent; }

static uint8_t legacy_prefix(void)
{
	static const uint8_t common[] = { 0x66, 0x66, 0xf2, 0xf3, 0xf3, 0xf0, 0x67 };
	static const uint8_t seg[] = { 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65 };

	if (chance(80))
		return common[below(sizeof(common))];
	return seg[below(sizeof(seg))];
}

/* A ModRM byte biased towards the interesting forms. */
static uint8_t modrm_byte(void)
{
	uint8_t m = byte();

	switch (below(8)) {
	case 0: return (uint8_t)((m & 0x78) | 4);		/* SIB, mod 0 or 1 */
	case 1: return (uint8_t)((m & 0xb8) | 4);		/* SIB, mod 0 or 2 */
	case 2: return (uint8_t)((m & 0x38) | 0x05);		/* disp32 / RIP */
	case 3: case 4: return (uint8_t)(m | 0xc0);		/* register */
	default: return m;
	}
}

static uint8_t sib_byte(void)
{
	uint8_t s = byte();

	return chance(25) ? (uint8_t)((s & 0xf8) | 5) : s;	/* no-base disp32 */
}

/* VEX-style payload bytes: mostly plausible maps and reserved bits. */
static size_t gen_vex(uint8_t *b, int mode)
{
	size_t n = 0;
	unsigned kind = below(10);
	uint8_t top = mode == 32 || chance(50) ? 0xc0 : 0;	/* R X must be 1 in 32-bit */

	if (kind < 3) {						/* VEX2 */
		b[n++] = 0xc5;
		b[n++] = byte() | (mode == 32 ? 0x80 : 0);
		if (mode == 32 && chance(90))
			b[n - 1] |= 0x40;
	} else if (kind < 6) {					/* VEX3 */
		b[n++] = 0xc4;
		b[n++] = (uint8_t)((byte() & 0xe0) | top | (chance(90) ? 1 + below(3) : below(32)));
	} else if (kind < 9) {					/* EVEX */
		static const uint8_t maps[] = { 1, 2, 3, 5, 6 };

		b[n++] = 0x62;
		b[n++] = (uint8_t)((byte() & 0xf0) | top | (chance(90) ? maps[below(5)] : below(16)));
		b[n++] = (uint8_t)(byte() | (chance(95) ? 0x04 : 0));
		b[n++] = byte();
		return n;
	} else {						/* XOP */
		b[n++] = 0x8f;
		b[n++] = (uint8_t)((byte() & 0xe0) | top | (chance(90) ? 8 + below(3) : below(32)));
	}
	if (b[0] != 0xc5)
		b[n++] = byte();
	return n;
}

/* Fills b[0..32) and returns how many bytes the decoders may look at. */
static size_t gen_input(uint8_t *b, int mode)
{
	size_t n = 0, avail;
	unsigned npfx = chance(50) ? 0 : chance(60) ? 1 : 2 + below(4);

	for (unsigned i = 0; i < npfx; i++) {
		if (mode == 64 && chance(15))
			b[n++] = (uint8_t)(0x40 | below(16));	/* REX, maybe cancelled */
		b[n++] = legacy_prefix();
	}
	if (mode == 64 && chance(30))
		b[n++] = (uint8_t)(0x40 | below(16));

	switch (below(20)) {
	case 0: case 1: case 2: case 3: case 4: case 5:
		b[n++] = byte();				/* one-byte map */
		break;
	case 6: case 7: case 8: case 9:
		b[n++] = 0x0f;
		b[n++] = byte();
		break;
	case 10: case 11:
		b[n++] = 0x0f;
		b[n++] = 0x38;
		b[n++] = byte();
		break;
	case 12:
		b[n++] = 0x0f;
		b[n++] = 0x3a;
		b[n++] = byte();
		break;
	case 13:
		b[n++] = 0x0f;
		b[n++] = 0x0f;				/* 3DNow! */
		break;
	case 14: case 15: case 16: case 17:
		n += gen_vex(b + n, mode);
		b[n++] = byte();
		break;
	case 18:
		b[n++] = (uint8_t)(0xd8 + below(8));		/* x87 */
		break;
	default:
		break;						/* raw bytes */
	}
	b[n++] = modrm_byte();
	b[n++] = sib_byte();
	while (n < 32)
		b[n++] = byte();
	avail = chance(5) ? below(16) : 15;
	if (chance(3))
		avail = 15;	/* keep 3DNow! suffixes etc. reachable */
	return avail;
}

static void print_hex(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		printf("%02x", b[i]);
}

struct stats {
	unsigned long inputs, valid, agreed, known, undocumented;
	unsigned long per_known[NUM_KNOWN_DIFFS];
};

static int run_mode(int mode, unsigned long count, uint64_t seed, double seconds, bool verbose)
{
	ZydisDecoder dec;
	struct stats st = { 0 };
	clock_t start = clock();
	unsigned shown = 0;

	ZydisDecoderInit(&dec, mode == 64 ? ZYDIS_MACHINE_MODE_LONG_64 : ZYDIS_MACHINE_MODE_LEGACY_32,
			 mode == 64 ? ZYDIS_STACK_WIDTH_64 : ZYDIS_STACK_WIDTH_32);
	rng_state = seed ^ (uint64_t)mode;

	for (unsigned long i = 0; i < count; i++) {
		uint8_t b[32];
		size_t avail = gen_input(b, mode);
		struct insn in;
		ZydisDecodedInstruction zi;
		int ours = insn_decode(&in, b, avail, mode == 64 ? INSN_MODE_64 : INSN_MODE_32);
		int zy = ZYAN_FAILED(ZydisDecoderDecodeInstruction(&dec, NULL, b, avail, &zi)) ?
			 -1 : zi.length;

		st.inputs++;
		st.valid += zy > 0;
		if ((ours < 0 && zy < 0) || ours == zy) {
			st.agreed++;
		} else {
			struct diff_case c = { b, avail, mode, ours, &in, zy, &zi, &dec };
			size_t k;

			for (k = 0; k < NUM_KNOWN_DIFFS; k++)
				if (known_diffs[k].match(&c))
					break;
			if (k < NUM_KNOWN_DIFFS) {
				st.known++;
				st.per_known[k]++;
			} else {
				st.undocumented++;
				if (shown++ < MAX_SHOWN || verbose) {
					printf("  DIFF m%d ", mode);
					print_hex(b, avail);
					printf("  ours %d  zydis %d", ours, zy);
					if (zy > 0)
						printf(" (%s)", ZydisMnemonicGetString(zi.mnemonic));
					printf("\n");
				}
			}
		}
		if (seconds > 0 && (i & 0xfff) == 0 &&
		    (double)(clock() - start) / CLOCKS_PER_SEC > seconds)
			break;
	}
	printf("mode %d: inputs %lu (%lu valid for Zydis), agreed %lu, known-diff %lu, "
	       "undocumented %lu (%.2f s)\n", mode, st.inputs, st.valid, st.agreed, st.known,
	       st.undocumented,
	       (double)(clock() - start) / CLOCKS_PER_SEC);
	for (size_t k = 0; k < NUM_KNOWN_DIFFS; k++)
		if (st.per_known[k])
			printf("  known %-16s %lu\n", known_diffs[k].name, st.per_known[k]);
	return st.undocumented == 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: insn_fuzz [-n COUNT] [-s SEED] [-t SECONDS] [-m 32|64] [-v]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long count = 1000000;
	uint64_t seed = 1;
	double seconds = 0;
	int modes[2] = { 32, 64 }, nmodes = 2;
	bool verbose = false;
	int passed = 0, failed = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v")) {
			verbose = true;
			continue;
		}
		if (i + 1 >= argc)
			usage();
		if (!strcmp(argv[i], "-n"))
			count = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-s"))
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-t"))
			seconds = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "-m")) {
			modes[0] = atoi(argv[++i]);
			nmodes = 1;
			if (modes[0] != 32 && modes[0] != 64)
				usage();
		} else
			usage();
	}
	printf("insn_fuzz: seed %llu, %lu inputs per mode\n", (unsigned long long)seed, count);
	for (int m = 0; m < nmodes; m++) {
		if (run_mode(modes[m], count, seed, seconds, verbose))
			passed++;
		else
			failed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
