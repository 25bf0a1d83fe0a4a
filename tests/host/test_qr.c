/*
 * Host unit tests for lib/qr.c: GF(256) and Reed-Solomon against the
 * standard's worked example, the BCH format and version words, and whole
 * symbols against vectors made by an independent encoder (libqrencode's
 * qrencode, see tools/qr_vectors.py): for each, the version, the mask the
 * penalty rules pick, and a hash of every module.
 *
 *	test_qr                          the tests; ends with 'N passed, N failed'
 *	test_qr dump ECL MINVER MASK     encode stdin, print the modules as 0/1 rows
 *	                                 (first line: version mask)
 *	test_qr text KIND SEED LEN       print the vector text (as tools/qr_vectors.py)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/qr.h"

static int passed, failed;
static struct qr q;

static void check(int ok, const char *what)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", passed + failed + 1, what);
	if (ok)
		passed++;
	else
		failed++;
}

/* The vector texts: a linear congruential generator both sides can run. */
static unsigned vector_text(char *buf, int kind, unsigned seed, unsigned len)
{
	static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
	unsigned long x = seed;

	for (unsigned i = 0; i < len; i++) {
		x = (x * 1103515245 + 12345) & 0x7fffffff;
		if (kind == 'n')
			buf[i] = '0' + (x >> 16) % 10;
		else if (kind == 'a')
			buf[i] = alnum[(x >> 16) % 45];
		else
			buf[i] = i == 0 ? 'u' : 0x21 + (x >> 16) % 94;	/* 'u': never alnum */
	}
	return len;
}

/* FNV-1a over the rows of '0'/'1' (what `test_qr dump` prints, without newlines). */
static unsigned long long matrix_hash(const struct qr *qr)
{
	unsigned long long h = 0xcbf29ce484222325ull;

	for (int y = 0; y < qr->size; y++)
		for (int x = 0; x < qr->size; x++) {
			h ^= '0' + qr_module(qr, x, y);
			h *= 0x100000001b3ull;
		}
	return h;
}

struct vector {
	char kind;		/* 'b' byte, 'n' numeric, 'a' alphanumeric */
	char ecl;		/* 'L' 'M' 'Q' 'H' */
	unsigned seed, len;
	int version, mask;
	unsigned long long hash;
};
#include "tests/host/qr_vectors.h"

static enum qr_ecl ecl_of(char c)
{
	return c == 'L' ? QR_ECL_L : c == 'M' ? QR_ECL_M : c == 'Q' ? QR_ECL_Q : QR_ECL_H;
}

static void test_gf_rs(void)
{
	/* ISO/IEC 18004 Annex I: "01234567" at 1-M. */
	static const uint8_t data[16] = { 0x10, 0x20, 0x0c, 0x56, 0x61, 0x80, 0xec, 0x11,
					  0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11 };
	static const uint8_t want[10] = { 0xa5, 0x24, 0xd4, 0xc1, 0xed, 0x36, 0xc7, 0x87, 0x2c, 0x55 };
	uint8_t ecc[10];
	int inverses = 1;

	check(qr_gf_mul(0x80, 2) == 0x1d, "GF(256): x^7 * x = x^4+x^3+x^2+1");
	check(qr_gf_mul(0x53, 0xca) == 0x8f && qr_gf_mul(0xca, 0x53) == 0x8f, "GF(256): 0x53 * 0xca (mod 0x11d)");
	for (int a = 1; a < 256; a++) {
		int found = 0;

		for (int b = 1; b < 256; b++)
			found += qr_gf_mul(a, b) == 1;
		inverses &= found == 1;
	}
	check(inverses, "GF(256): every nonzero element has exactly one inverse");
	qr_rs_remainder(data, 16, 10, ecc);
	check(!memcmp(ecc, want, 10), "Reed-Solomon: the 10 ECC codewords of Annex I");
	check(qr_encode(&q, "01234567", 8, QR_ECL_M, 1, 40, -1) == 0 && q.version == 1 &&
	      q.mode == QR_MODE_NUMERIC && !memcmp(q.data, data, 16), "Annex I: numeric data codewords");
}

static void test_bch(void)
{
	/* Annex C: M (00) with mask 101 -> 100000011001110; L mask 0 -> 111011111000100. */
	check(qr_format_bits(QR_ECL_M, 5) == 0x40ce, "format bits M/5 (Annex C)");
	check(qr_format_bits(QR_ECL_L, 0) == 0x77c4, "format bits L/0");
	/* Annex D: version 7 -> 000111110010010100, version 40 -> 101000110001101001. */
	check(qr_version_bits(7) == 0x07c94, "version bits 7 (Annex D)");
	check(qr_version_bits(40) == 0x28c69, "version bits 40 (Annex D)");
}

static void test_capacity(void)
{
	/* Table 7: byte capacities. */
	check(qr_byte_capacity(1, QR_ECL_L) == 17 && qr_byte_capacity(1, QR_ECL_H) == 7, "1-L 17 bytes, 1-H 7");
	check(qr_byte_capacity(6, QR_ECL_L) == 134 && qr_byte_capacity(6, QR_ECL_M) == 106, "6-L 134, 6-M 106");
	check(qr_byte_capacity(40, QR_ECL_L) == 2953 && qr_byte_capacity(40, QR_ECL_H) == 1273,
	      "40-L 2953 bytes, 40-H 1273");
	check(qr_data_codewords(40, QR_ECL_L) == 2956,
	      "data codewords 40-L 2956");
}

static void test_errors(void)
{
	static char big[3000];

	memset(big, 'x', sizeof(big));
	check(qr_encode(&q, big, 2954, QR_ECL_L, 1, 40, -1) == -1, "2954 bytes do not fit 40-L");
	check(qr_encode(&q, big, 2953, QR_ECL_L, 1, 40, -1) == 0 && q.version == 40, "2953 bytes fit 40-L");
	check(qr_encode(&q, big, 135, QR_ECL_L, 1, 6, -1) == -1, "135 bytes do not fit up to version 6 at L");
	check(qr_encode(&q, "x", 1, QR_ECL_L, 3, 2, -1) == -1 && qr_encode(&q, "x", 1, QR_ECL_L, 0, 2, -1) == -1 &&
	      qr_encode(&q, "x", 1, QR_ECL_L, 1, 41, -1) == -1, "version range checked");
	check(qr_encode(&q, "x", 1, QR_ECL_L, 1, 40, 8) == -1 && qr_encode(&q, "x", 1, 4, 1, 40, -1) == -1,
	      "mask and level checked");
	check(qr_encode(&q, "", 0, QR_ECL_L, 1, 40, -1) == 0 && q.version == 1, "empty data: version 1");
	check(qr_encode(&q, "x", 1, QR_ECL_L, 5, 40, 3) == 0 && q.version == 5 && q.mask == 3,
	      "minimum version and a given mask are honoured");
	check(!qr_module(&q, -1, 0) && !qr_module(&q, q.size, 0) && qr_module(&q, 0, 0), "outside is light, corner dark");
}

static void test_vectors(void)
{
	static char buf[8000];
	unsigned n = sizeof(vectors) / sizeof(vectors[0]), bad_auto = 0, bad_fixed = 0;
	char what[160];

	for (unsigned i = 0; i < n; i++) {
		const struct vector *v = &vectors[i];
		unsigned len = vector_text(buf, v->kind, v->seed, v->len);
		int ok_auto, ok_fixed;

		ok_auto = qr_encode(&q, buf, len, ecl_of(v->ecl), 1, 40, -1) == 0 && q.version == v->version &&
			  q.mask == v->mask && matrix_hash(&q) == v->hash;
		ok_fixed = qr_encode(&q, buf, len, ecl_of(v->ecl), 1, 40, v->mask) == 0 &&
			   q.version == v->version && matrix_hash(&q) == v->hash;
		bad_auto += !ok_auto;
		bad_fixed += !ok_fixed;
		if (!ok_auto || !ok_fixed) {
			snprintf(what, sizeof(what), "vector %c %u bytes %d-%c: got version %d mask %d%s", v->kind, len,
				 v->version, v->ecl, q.version, q.mask, ok_fixed ? " (same modules with its mask)" : "");
			check(0, what);
		}
	}
	snprintf(what, sizeof(what), "%u symbols (versions 1-40, L/M/Q/H) identical to qrencode's, "
		 "masks chosen alike (%u differ; %u with the mask given)", n, bad_auto, bad_fixed);
	check(n >= 160 && !bad_auto && !bad_fixed, what);
}

static int dump(int argc, char **argv)
{
	static char buf[8000];
	size_t len;

	if (argc != 5)
		return 2;
	len = fread(buf, 1, sizeof(buf), stdin);
	if (qr_encode(&q, buf, len, ecl_of(argv[2][0]), atoi(argv[3]), 40, atoi(argv[4])) < 0) {
		fprintf(stderr, "test_qr: %zu bytes do not fit\n", len);
		return 1;
	}
	printf("%d %d\n", q.version, q.mask);
	for (int y = 0; y < q.size; y++) {
		for (int x = 0; x < q.size; x++)
			putchar('0' + qr_module(&q, x, y));
		putchar('\n');
	}
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[8000];

	if (argc > 1 && !strcmp(argv[1], "dump"))
		return dump(argc, argv);
	if (argc == 5 && !strcmp(argv[1], "text")) {
		fwrite(buf, 1, vector_text(buf, argv[2][0], atoi(argv[3]), atoi(argv[4])), stdout);
		return 0;
	}
	test_gf_rs();
	test_bch();
	test_capacity();
	test_errors();
	test_vectors();
	printf("test_qr: %d passed, %d failed\n", passed, failed);
	return failed != 0;
}
