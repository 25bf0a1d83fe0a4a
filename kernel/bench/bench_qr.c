/*
 * The benchmark results as QR codes on the screen: on a PC without a serial
 * port a phone photo is the way to take them home (Linux 6.12's drm_panic
 * shows a panic's log as a QR code for the same reason). Each code is one
 * self-contained compact JSON document,
 *
 *	{"a":"x86_64","u":"ins","c":"CPU brand","p":[1,3],"s":{"call":[12.21,0],"int3_floor":[99.21,87]}}
 *
 * a: arch; u: unit, "ins" (instructions, icount) or "cyc" (TSC cycles);
 * c: the CPU's brand string (first code only); p: [this code, codes];
 * s: per scenario in table order [median, overhead] per hit (as in the BENCH
 * lines, trailing zeros dropped), or null if its setup failed. As many
 * scenarios go in a code as the largest version that the screen can show
 * holds; the codes follow one another, a key for the next.
 *
 * Error correction L: a screen is a flat, lit, undamaged target, so the
 * redundancy of M..H buys little, and L holds the most per code (134 bytes
 * at version 6, the largest that 80x25 text mode shows, against 106 at M).
 */
#include "kernel/bench/bench.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/cpuinfo.h"
#include "kernel/dev/console.h"
#include "kernel/dev/kbd.h"
#include "kernel/dev/screen.h"
#include "kernel/shell.h"
#include "lib/format.h"
#include "lib/qr.h"
#include "lib/string.h"

#define TEXT_COLS	24	/* the caption beside the code */
#define MAX_PARTS	64

static struct qr qr;
static char json[3000];		/* one code's text: at most 2953 bytes (40-L) */
static struct cpu_info cpu;

/* Thousandths as a JSON number without trailing zeros: 12210 -> 12.21, 129000 -> 129. */
static const char *number(char *buf, unsigned size, long long milli)
{
	unsigned n = strlen(bench_fixed(buf, size, milli));

	while (buf[n - 1] == '0')
		buf[--n] = 0;
	if (buf[n - 1] == '.')
		buf[--n] = 0;
	return buf;
}

/* Code `part` of `parts` with results [from, to); returns its length. */
static unsigned build(unsigned part, unsigned parts, const struct bench_result *r, unsigned from, unsigned to)
{
	struct strbuf sb = { json, sizeof(json), 0 };
	char brand[120], med[24], ovh[24];

	json[0] = 0;
	strbuf_addf(&sb, "{\"a\":\"%s\",\"u\":\"%s\"", ARCH_NAME, strcmp(bench_unit(), "cycles") ? "ins" : "cyc");
	if (part == 1)
		strbuf_addf(&sb, ",\"c\":\"%s\"", bench_json_escape(brand, sizeof(brand), cpu.brand));
	strbuf_addf(&sb, ",\"p\":[%u,%u],\"s\":{", part, parts);
	for (unsigned i = from; i < to; i++) {
		if (r[i].failed)
			strbuf_addf(&sb, "%s\"%s\":null", i > from ? "," : "", r[i].id);
		else
			strbuf_addf(&sb, "%s\"%s\":[%s,%s]", i > from ? "," : "", r[i].id,
				    number(med, sizeof(med), r[i].median), number(ovh, sizeof(ovh), r[i].overhead));
	}
	strbuf_addf(&sb, "}}");
	return sb.len;
}

/* Greedy split into codes of at most cap bytes; first[k] starts code k. 0: one result alone is too long. */
static unsigned plan(const struct bench_result *r, unsigned n, unsigned cap, unsigned *first)
{
	unsigned parts = 0;

	for (unsigned from = 0, to; from < n; from = to) {
		/* 99 codes: the most digits "p" can take, so later numbering only shrinks. */
		if (parts == MAX_PARTS || build(parts + 1, 99, r, from, from + 1) > cap)
			return 0;
		for (to = from + 1; to < n && build(parts + 1, 99, r, from, to + 1) <= cap; to++)
			;
		first[parts++] = from;
	}
	first[parts] = n;
	return parts;
}

static int module(void *arg, int x, int y)
{
	return qr_module(arg, x - QR_QUIET, y - QR_QUIET);
}

void bench_qr_show(void)
{
	static unsigned first[MAX_PARTS + 1];
	unsigned n, parts, room = screen_module_room(TEXT_COLS);
	const struct bench_result *r = bench_results(&n);
	int maxver = 0;
	char line[3][TEXT_COLS + 1];

	if (!n || !(kopt.consoles & CON_SCREEN) || !console_present(CON_SCREEN))
		return;	/* no results, or no screen (console=serial) */
	while (maxver < QR_VERSION_MAX && QR_SIZE(maxver + 1) + 2 * QR_QUIET <= (int)room)
		maxver++;
	cpu_identify(&cpu);
	if (!maxver || !(parts = plan(r, n, qr_byte_capacity(maxver, QR_ECL_L), first))) {
		printk_on(CON_SERIAL, "bench: the screen is too small for the results as QR codes\n");
		return;
	}
	kbd_init();
	for (unsigned k = 0; k < parts; k++) {
		unsigned len = build(k + 1, parts, r, first[k], first[k + 1]);
		const char *text[] = { "uniprobe bench results", line[0], line[1], "as JSON (see README)", "",
				       line[2] };

		if (qr_encode(&qr, json, len, QR_ECL_L, 1, maxver, -1) < 0)
			break;	/* cannot happen: plan() kept each code within maxver */
		snprintf(line[0], sizeof(line[0]), "%s, %s", ARCH_NAME, bench_unit());
		snprintf(line[1], sizeof(line[1]), "QR code %u of %u", k + 1, parts);
		snprintf(line[2], sizeof(line[2]), "any key: %s", k + 1 < parts ? "next code" : "back to text");
		screen_show_modules(qr.size + 2 * QR_QUIET, module, &qr, text, ARRAY_SIZE(text));
		printk_on(CON_SERIAL, "bench: QR code %u/%u on the screen (%u bytes, version %d-L); "
			  "a key (keyboard or COM1) for the %s\n", k + 1, parts, len, qr.version,
			  k + 1 < parts ? "next" : "text");
		shell_read_key();
	}
	screen_redraw();
}
