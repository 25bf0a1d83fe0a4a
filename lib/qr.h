/*
 * A QR code encoder (ISO/IEC 18004): numeric, alphanumeric or byte mode
 * (one segment, the smallest mode that holds all of the data), versions 1-40,
 * error correction L/M/Q/H, Reed-Solomon over GF(256), the mask with the
 * lowest penalty (or a given one), format and version information.
 * Freestanding: no allocation, the caller owns struct qr (about 12 KiB).
 *
 *	static struct qr q;
 *	if (qr_encode(&q, text, len, QR_ECL_L, 1, 40, -1) == 0)
 *		for (y...) for (x...) draw(x, y, qr_module(&q, x, y));
 */
#ifndef LIB_QR_H
#define LIB_QR_H
#include <stdint.h>

#define QR_VERSION_MAX	40
#define QR_SIZE(v)	(17 + 4 * (v))	/* modules per side, without the quiet zone */
#define QR_SIZE_MAX	QR_SIZE(QR_VERSION_MAX)
#define QR_QUIET	4		/* light modules required around the symbol */
#define QR_CODEWORDS_MAX 3706		/* all codewords of version 40 */
#define QR_BITMAP_BYTES	((QR_SIZE_MAX * QR_SIZE_MAX + 7) / 8)

enum qr_ecl { QR_ECL_L, QR_ECL_M, QR_ECL_Q, QR_ECL_H };	/* 7, 15, 25, 30 % recoverable */
enum qr_mode { QR_MODE_NUMERIC = 1, QR_MODE_ALNUM = 2, QR_MODE_BYTE = 4 };

struct qr {
	int version, size, mask;
	enum qr_ecl ecl;
	enum qr_mode mode;
	uint8_t dark[QR_BITMAP_BYTES];		/* module (x, y) is bit y * size + x */
	uint8_t function[QR_BITMAP_BYTES];	/* finder, timing, ...: never masked */
	uint8_t data[QR_CODEWORDS_MAX];		/* data + ECC per block, in block order */
	uint8_t codewords[QR_CODEWORDS_MAX];	/* interleaved: the order they are drawn */
};

/*
 * Encode len bytes in the smallest version in [min_version, max_version] that
 * holds them at error correction level ecl; mask 0-7, or -1 for the one with
 * the lowest penalty. Returns 0, or -1 if the data does not fit (or an
 * argument is out of range), leaving q unusable.
 */
int qr_encode(struct qr *q, const void *data, unsigned len, enum qr_ecl ecl,
	      int min_version, int max_version, int mask);

/* 1 if module (x, y) is dark; 0 outside the symbol (the quiet zone). */
int qr_module(const struct qr *q, int x, int y);

/* The most bytes (byte mode) that a version holds at a level. */
unsigned qr_byte_capacity(int version, enum qr_ecl ecl);

/* For the tests: data codewords of a version, and the 15 format bits. */
unsigned qr_data_codewords(int version, enum qr_ecl ecl);
unsigned qr_format_bits(enum qr_ecl ecl, int mask);
unsigned long qr_version_bits(int version);
/* GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d). */
uint8_t qr_gf_mul(uint8_t x, uint8_t y);
/* ecc[0..degree) = the Reed-Solomon remainder of data (generator of degree). */
void qr_rs_remainder(const uint8_t *data, unsigned len, unsigned degree, uint8_t *ecc);

#endif
