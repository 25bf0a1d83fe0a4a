/*
 * QR code encoder, after ISO/IEC 18004:2015. The steps: pick the mode and
 * the smallest version that fits; write mode, count, data, terminator and
 * pad codewords; add Reed-Solomon ECC per block and interleave the blocks;
 * draw the function patterns, then the codeword bits in the two-column
 * zigzag; try the eight masks and keep the one with the lowest penalty;
 * draw the format (and, from version 7, version) information.
 */
#include "lib/qr.h"
#include "lib/string.h"

/* ECC codewords per block and number of blocks, [ecl][version] (Table 9). */
static const uint8_t ecc_per_block[4][41] = {
	{ 0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
	  28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30 },
	{ 0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
	  26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28 },
	{ 0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
	  28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30 },
	{ 0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
	  30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30 },
};
static const uint8_t ecc_blocks[4][41] = {
	{ 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
	  8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25 },
	{ 0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
	  17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49 },
	{ 0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
	  23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68 },
	{ 0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
	  25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81 },
};

/* The two format bits of each level: L 01, M 00, Q 11, H 10. */
static const uint8_t ecl_bits[4] = { 1, 0, 3, 2 };

static const char alnum_chars[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/* ---- Reed-Solomon over GF(256) ---- */

uint8_t qr_gf_mul(uint8_t x, uint8_t y)
{
	unsigned z = 0;

	for (int i = 7; i >= 0; i--) {
		z = (z << 1) ^ ((z >> 7) * 0x11d);
		z ^= ((y >> i) & 1) * x;
	}
	return (uint8_t)z;
}

/* The generator (x - a^0)(x - a^1)...(x - a^(degree-1)), leading 1 dropped. */
static void rs_generator(unsigned degree, uint8_t *g)
{
	uint8_t root = 1;

	memset(g, 0, degree);
	g[degree - 1] = 1;
	for (unsigned i = 0; i < degree; i++) {
		for (unsigned j = 0; j < degree; j++) {
			g[j] = qr_gf_mul(g[j], root);
			if (j + 1 < degree)
				g[j] ^= g[j + 1];
		}
		root = qr_gf_mul(root, 2);
	}
}

void qr_rs_remainder(const uint8_t *data, unsigned len, unsigned degree, uint8_t *ecc)
{
	uint8_t g[30];	/* no block has more than 30 ECC codewords */

	rs_generator(degree, g);
	memset(ecc, 0, degree);
	for (unsigned i = 0; i < len; i++) {
		uint8_t factor = data[i] ^ ecc[0];

		memmove(ecc, ecc + 1, degree - 1);
		ecc[degree - 1] = 0;
		for (unsigned j = 0; j < degree; j++)
			ecc[j] ^= qr_gf_mul(g[j], factor);
	}
}

/* ---- capacities ---- */

/* Modules left for codewords (and remainder bits) after the function patterns. */
static unsigned raw_modules(int v)
{
	unsigned n = (16 * v + 128) * v + 64;

	if (v >= 2) {
		unsigned align = v / 7 + 2;

		n -= (25 * align - 10) * align - 55;
		if (v >= 7)
			n -= 36;	/* two version information blocks */
	}
	return n;
}

unsigned qr_data_codewords(int v, enum qr_ecl ecl)
{
	return raw_modules(v) / 8 - ecc_per_block[ecl][v] * ecc_blocks[ecl][v];
}

static unsigned count_bits(enum qr_mode mode, int v)
{
	int i = v < 10 ? 0 : v < 27 ? 1 : 2;

	switch (mode) {
	case QR_MODE_NUMERIC:
		return (const uint8_t[]){ 10, 12, 14 }[i];
	case QR_MODE_ALNUM:
		return (const uint8_t[]){ 9, 11, 13 }[i];
	default:
		return (const uint8_t[]){ 8, 16, 16 }[i];
	}
}

static unsigned data_bits(enum qr_mode mode, unsigned len)
{
	switch (mode) {
	case QR_MODE_NUMERIC:
		return len / 3 * 10 + (const uint8_t[]){ 0, 4, 7 }[len % 3];
	case QR_MODE_ALNUM:
		return len / 2 * 11 + len % 2 * 6;
	default:
		return len * 8;
	}
}

unsigned qr_byte_capacity(int v, enum qr_ecl ecl)
{
	if (v < 1 || v > QR_VERSION_MAX || (unsigned)ecl > QR_ECL_H)
		return 0;
	return (qr_data_codewords(v, ecl) * 8 - 4 - count_bits(QR_MODE_BYTE, v)) / 8;
}

static int alnum_value(uint8_t c)
{
	for (int i = 0; alnum_chars[i]; i++)
		if ((uint8_t)alnum_chars[i] == c)
			return i;
	return -1;
}

/* The smallest mode that holds every byte. */
static enum qr_mode pick_mode(const uint8_t *s, unsigned len)
{
	enum qr_mode mode = QR_MODE_NUMERIC;

	for (unsigned i = 0; i < len; i++) {
		if (alnum_value(s[i]) < 0)
			return QR_MODE_BYTE;
		if (s[i] < '0' || s[i] > '9')
			mode = QR_MODE_ALNUM;
	}
	return mode;
}

/* ---- the data codewords ---- */

static void put_bits(uint8_t *buf, unsigned *pos, unsigned long v, unsigned n)
{
	for (unsigned i = n; i-- > 0; (*pos)++)
		if (v >> i & 1)
			buf[*pos >> 3] |= 0x80 >> (*pos & 7);
}

static void write_data(struct qr *q, const uint8_t *s, unsigned len, unsigned capacity)
{
	unsigned pos = 0, cap_bits = capacity * 8;

	memset(q->data, 0, capacity);
	put_bits(q->data, &pos, q->mode, 4);
	put_bits(q->data, &pos, len, count_bits(q->mode, q->version));
	for (unsigned i = 0; i < len;) {
		if (q->mode == QR_MODE_NUMERIC) {
			unsigned n = len - i < 3 ? len - i : 3, v = 0;

			for (unsigned j = 0; j < n; j++)
				v = v * 10 + (s[i + j] - '0');
			put_bits(q->data, &pos, v, (const uint8_t[]){ 0, 4, 7, 10 }[n]);
			i += n;
		} else if (q->mode == QR_MODE_ALNUM) {
			if (len - i >= 2) {
				put_bits(q->data, &pos, alnum_value(s[i]) * 45 + alnum_value(s[i + 1]), 11);
				i += 2;
			} else {
				put_bits(q->data, &pos, alnum_value(s[i]), 6);
				i++;
			}
		} else {
			put_bits(q->data, &pos, s[i++], 8);
		}
	}
	/* Terminator (up to 4 zero bits), zeros to a byte, then 0xec 0x11 ... */
	pos += cap_bits - pos < 4 ? cap_bits - pos : 4;
	pos = (pos + 7) & ~7u;
	for (uint8_t pad = 0xec; pos < cap_bits; pad ^= 0xec ^ 0x11, pos += 8)
		q->data[pos >> 3] = pad;
}

/*
 * Split the data codewords into blocks (the short ones first), append each
 * block's ECC and interleave: data codeword j of every block in turn, then
 * ECC codeword j of every block.
 */
static void add_ecc(struct qr *q)
{
	unsigned blocks = ecc_blocks[q->ecl][q->version], ecc_len = ecc_per_block[q->ecl][q->version];
	unsigned raw = raw_modules(q->version) / 8, data_len = qr_data_codewords(q->version, q->ecl);
	unsigned shorts = blocks - raw % blocks, short_len = raw / blocks - ecc_len;
	const uint8_t *dat = q->data;
	uint8_t ecc[30];

	for (unsigned i = 0; i < blocks; i++) {
		unsigned n = short_len + (i < shorts ? 0 : 1);

		qr_rs_remainder(dat, n, ecc_len, ecc);
		for (unsigned j = 0, k = i; j < n; j++, k += blocks) {
			if (j == short_len)
				k -= shorts;	/* the extra codeword of a long block */
			q->codewords[k] = dat[j];
		}
		for (unsigned j = 0, k = data_len + i; j < ecc_len; j++, k += blocks)
			q->codewords[k] = ecc[j];
		dat += n;
	}
}

/* ---- modules ---- */

static int get_bit(const uint8_t *map, const struct qr *q, int x, int y)
{
	unsigned i = (unsigned)y * q->size + x;

	return map[i >> 3] >> (i & 7) & 1;
}

static void set_bit(uint8_t *map, const struct qr *q, int x, int y, int on)
{
	unsigned i = (unsigned)y * q->size + x;

	if (on)
		map[i >> 3] |= 1 << (i & 7);
	else
		map[i >> 3] &= ~(1 << (i & 7));
}

int qr_module(const struct qr *q, int x, int y)
{
	return x >= 0 && y >= 0 && x < q->size && y < q->size && get_bit(q->dark, q, x, y);
}

/* A function module: drawn now, skipped by data placement and masking. */
static void set_function(struct qr *q, int x, int y, int dark)
{
	set_bit(q->dark, q, x, y, dark);
	set_bit(q->function, q, x, y, 1);
}

/* A finder (7x7, centre 3x3) with its light separator, centred on (cx, cy). */
static void draw_finder(struct qr *q, int cx, int cy)
{
	for (int dy = -4; dy <= 4; dy++)
		for (int dx = -4; dx <= 4; dx++) {
			int x = cx + dx, y = cy + dy;
			int d = (dx < 0 ? -dx : dx) > (dy < 0 ? -dy : dy) ? (dx < 0 ? -dx : dx) : (dy < 0 ? -dy : dy);

			if (x >= 0 && y >= 0 && x < q->size && y < q->size)
				set_function(q, x, y, d != 2 && d != 4);
		}
}

static void draw_alignment(struct qr *q, int cx, int cy)
{
	for (int dy = -2; dy <= 2; dy++)
		for (int dx = -2; dx <= 2; dx++) {
			int d = (dx < 0 ? -dx : dx) > (dy < 0 ? -dy : dy) ? (dx < 0 ? -dx : dx) : (dy < 0 ? -dy : dy);

			set_function(q, cx + dx, cy + dy, d != 1);
		}
}

/* Alignment pattern centres on each axis (Annex E); returns how many. */
static int alignment_positions(int v, uint8_t *pos)
{
	int n, step;

	if (v == 1)
		return 0;
	n = v / 7 + 2;
	step = (v * 8 + n * 3 + 5) / (n * 4 - 4) * 2;
	pos[0] = 6;
	for (int i = n - 1, p = v * 4 + 10; i >= 1; i--, p -= step)
		pos[i] = p;
	return n;
}

unsigned qr_format_bits(enum qr_ecl ecl, int mask)
{
	unsigned data = ecl_bits[ecl] << 3 | mask, rem = data;

	/* BCH(15,5): remainder by x^10 + x^8 + x^5 + x^4 + x^2 + x + 1. */
	for (int i = 0; i < 10; i++)
		rem = (rem << 1) ^ ((rem >> 9) * 0x537);
	return (data << 10 | rem) ^ 0x5412;
}

unsigned long qr_version_bits(int v)
{
	unsigned long rem = v;

	/* BCH(18,6): remainder by x^12 + x^11 + x^10 + x^9 + x^8 + x^5 + x^2 + 1. */
	for (int i = 0; i < 12; i++)
		rem = (rem << 1) ^ ((rem >> 11) * 0x1f25);
	return (unsigned long)v << 12 | rem;
}

/* Both copies of the format information, and the dark module. */
static void draw_format(struct qr *q, int mask)
{
	unsigned bits = qr_format_bits(q->ecl, mask);
	int n = q->size;

	for (int i = 0; i <= 5; i++)
		set_function(q, 8, i, bits >> i & 1);
	set_function(q, 8, 7, bits >> 6 & 1);
	set_function(q, 8, 8, bits >> 7 & 1);
	set_function(q, 7, 8, bits >> 8 & 1);
	for (int i = 9; i < 15; i++)
		set_function(q, 14 - i, 8, bits >> i & 1);
	for (int i = 0; i < 8; i++)
		set_function(q, n - 1 - i, 8, bits >> i & 1);
	for (int i = 8; i < 15; i++)
		set_function(q, 8, n - 15 + i, bits >> i & 1);
	set_function(q, 8, n - 8, 1);
}

static void draw_version(struct qr *q)
{
	unsigned long bits;

	if (q->version < 7)
		return;
	bits = qr_version_bits(q->version);
	for (int i = 0; i < 18; i++) {
		int a = q->size - 11 + i % 3, b = i / 3, on = bits >> i & 1;

		set_function(q, a, b, on);
		set_function(q, b, a, on);
	}
}

static void draw_function_patterns(struct qr *q)
{
	uint8_t pos[7];
	int n = q->size, count = alignment_positions(q->version, pos);

	for (int i = 0; i < n; i++) {
		set_function(q, 6, i, i % 2 == 0);	/* timing patterns */
		set_function(q, i, 6, i % 2 == 0);
	}
	draw_finder(q, 3, 3);
	draw_finder(q, n - 4, 3);
	draw_finder(q, 3, n - 4);
	for (int i = 0; i < count; i++)
		for (int j = 0; j < count; j++)
			if (!((i == 0 && j == 0) || (i == 0 && j == count - 1) || (i == count - 1 && j == 0)))
				draw_alignment(q, pos[i], pos[j]);
	draw_format(q, 0);	/* reserves the area; redrawn with the real mask */
	draw_version(q);
}

/* Codeword bits up and down two-column strips from the right, skipping column 6. */
static void draw_codewords(struct qr *q, unsigned count)
{
	unsigned i = 0, bits = count * 8;
	int n = q->size;

	for (int right = n - 1; right >= 1; right -= 2) {
		if (right == 6)
			right = 5;
		for (int vert = 0; vert < n; vert++)
			for (int j = 0; j < 2; j++) {
				int x = right - j, up = ((right + 1) & 2) == 0, y = up ? n - 1 - vert : vert;

				if (get_bit(q->function, q, x, y))
					continue;
				/* Remainder bits past the last codeword stay light. */
				set_bit(q->dark, q, x, y, i < bits && (q->codewords[i >> 3] >> (7 - (i & 7)) & 1));
				i++;
			}
	}
}

/* XOR the data modules with mask pattern m (applying twice undoes it). */
static void apply_mask(struct qr *q, int m)
{
	for (int y = 0; y < q->size; y++)
		for (int x = 0; x < q->size; x++) {
			int flip;

			switch (m) {
			case 0: flip = (x + y) % 2 == 0; break;
			case 1: flip = y % 2 == 0; break;
			case 2: flip = x % 3 == 0; break;
			case 3: flip = (x + y) % 3 == 0; break;
			case 4: flip = (x / 3 + y / 2) % 2 == 0; break;
			case 5: flip = x * y % 2 + x * y % 3 == 0; break;
			case 6: flip = (x * y % 2 + x * y % 3) % 2 == 0; break;
			default: flip = ((x + y) % 2 + x * y % 3) % 2 == 0; break;
			}
			if (flip && !get_bit(q->function, q, x, y))
				set_bit(q->dark, q, x, y, !get_bit(q->dark, q, x, y));
		}
}

/*
 * ---- mask penalty (8.8.2): N1 = 3, N2 = 3, N3 = 40, N4 = 10 ----
 * Read as libqrencode reads it, so both pick the same mask: a finder-like
 * pattern is a dark 1:1:3:1:1 run sequence with light of 4 units on either
 * side (a light run that reaches the edge counts as long enough), counted
 * once; the dark share is rounded to a whole percentage, 10 per full 5
 * points away from 50.
 */
static long runs_penalty(const int *run, int n, int first_dark)
{
	long p = 0;

	for (int i = 0; i < n; i++) {
		int f = run[i] / 3;

		if (run[i] >= 5)
			p += 3 + run[i] - 5;
		if ((i % 2 == 0) != first_dark || i < 2 || i + 2 >= n || run[i] % 3)
			continue;	/* not a dark run with two runs either side */
		if (run[i - 2] == f && run[i - 1] == f && run[i + 1] == f && run[i + 2] == f &&
		    (i <= 3 || run[i - 3] >= 4 * f || i + 3 >= n - 1 || run[i + 3] >= 4 * f))
			p += 40;
	}
	return p;
}

/* Rules 1 and 3 along row (or column) `line`. */
static long line_penalty(const struct qr *q, int line, int vertical)
{
	int run[QR_SIZE_MAX], n = 0, prev = -1, first = 0;

	for (int i = 0; i < q->size; i++) {
		int m = vertical ? get_bit(q->dark, q, line, i) : get_bit(q->dark, q, i, line);

		if (m != prev) {
			if (n == 0)
				first = m;
			run[n++] = 0;
			prev = m;
		}
		run[n - 1]++;
	}
	return runs_penalty(run, n, first);
}

static long penalty(const struct qr *q)
{
	int n = q->size;
	long p = 0, dark = 0, pct;

	for (int i = 0; i < n; i++)
		p += line_penalty(q, i, 0) + line_penalty(q, i, 1);
	for (int y = 0; y < n; y++)
		for (int x = 0; x < n; x++) {
			int c = get_bit(q->dark, q, x, y);

			dark += c;
			if (x + 1 < n && y + 1 < n && c == get_bit(q->dark, q, x + 1, y) &&
			    c == get_bit(q->dark, q, x, y + 1) && c == get_bit(q->dark, q, x + 1, y + 1))
				p += 3;
		}
	pct = (200 * dark + (long)n * n) / ((long)n * n) / 2;	/* rounded */
	return p + (pct < 50 ? 50 - pct : pct - 50) / 5 * 10;
}

int qr_encode(struct qr *q, const void *data, unsigned len, enum qr_ecl ecl,
	      int min_version, int max_version, int mask)
{
	const uint8_t *s = data;
	unsigned cap = 0;
	int v;

	if ((unsigned)ecl > QR_ECL_H || mask < -1 || mask > 7 || min_version < 1 ||
	    max_version > QR_VERSION_MAX || min_version > max_version)
		return -1;
	q->mode = pick_mode(s, len);
	for (v = min_version; v <= max_version; v++) {
		cap = qr_data_codewords(v, ecl);
		if (len < (1u << count_bits(q->mode, v)) &&
		    4 + count_bits(q->mode, v) + data_bits(q->mode, len) <= cap * 8)
			break;
	}
	if (v > max_version)
		return -1;
	q->version = v;
	q->size = QR_SIZE(v);
	q->ecl = ecl;
	write_data(q, s, len, cap);
	add_ecc(q);

	memset(q->dark, 0, sizeof(q->dark));
	memset(q->function, 0, sizeof(q->function));
	draw_function_patterns(q);
	draw_codewords(q, raw_modules(v) / 8);
	if (mask < 0) {
		long best = 0;

		for (int m = 0; m < 8; m++) {
			long p;

			apply_mask(q, m);
			draw_format(q, m);
			p = penalty(q);
			if (mask < 0 || p < best) {
				mask = m;
				best = p;
			}
			apply_mask(q, m);
		}
	}
	q->mask = mask;
	apply_mask(q, mask);
	draw_format(q, mask);
	return 0;
}
