/*
 * Probe events through the trace buffer: a hit records, a reader prints;
 * the console stays whole when the console's own code is probed; filters;
 * enable/disable; thousands of events at once.
 */
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/trace/probe_events.h"
#include "kernel/trace/trace.h"
#include "lib/format.h"
#include "lib/ringbuf.h"
#include "lib/string.h"

long pe_target(long a, long b, const char *s);	/* tests/kernel/test_probe_events.c */

/* ---- what the consoles show, and what a reader prints ------------------- */

static char shown[2048];
static size_t shown_len;

static void capture(struct console *con, const char *s, size_t n)
{
	(void)con;
	for (size_t i = 0; i < n && shown_len + 1 < sizeof(shown); i++)
		shown[shown_len++] = s[i];
	shown[shown_len] = 0;
}

static struct console fake = { .name = "probe_trace", .kind = 0, .write = capture };

static void capture_start(void)
{
	static int registered;

	if (!registered++)
		console_register(&fake);
	fake.kind = CON_SCREEN;
	shown_len = 0;
	shown[0] = 0;
}

static void capture_stop(void)
{
	fake.kind = 0;	/* stays registered, never written again */
}

static char printed[65536];
static size_t printed_len;
static unsigned printed_lines;

static char last_line[256];

static void collect(const char *line, void *ctx)
{
	(void)ctx;
	printed_lines++;
	strlcpy(last_line, line, sizeof(last_line));
	if (printed_len + strlen(line) + 2 < sizeof(printed)) {
		strlcpy(printed + printed_len, line, sizeof(printed) - printed_len);
		printed_len += strlen(line);
		printed[printed_len++] = '\n';
		printed[printed_len] = 0;
	}
}

/* Print (and consume) the buffer the way `trace show` does with no tracer. */
static void read_trace(void)
{
	printed_len = 0;
	printed[0] = 0;
	printed_lines = 0;
	trace_print_lines(collect, NULL, "nop");
}

static unsigned count_of(const char *s, const char *what)
{
	unsigned n = 0;

	for (size_t len = strlen(what); (s = strstr(s, what)) != NULL; s += len)
		n++;
	return n;
}

static struct probe_event *define(struct ktest *t, const char *def)
{
	struct probe_event *ev;
	char err[160];
	int r = probe_event_create(def, &ev, err, sizeof(err));

	if (!KEXPECT_EQ(t, r, 0))
		ktest_log(t, "'%s': %s", def, err);
	return r ? NULL : ev;
}

/* ---- cases -------------------------------------------------------------- */

/* A hit prints nothing; the record holds the values; the reader prints them. */
static void test_recorded_not_printed(struct ktest *t)
{
	struct probe_event *ev;
	char hi[] = "hi";

	trace_reset();
	ev = define(t, "p:pt_rec pe_target a=$arg0:s32 s=$arg2:string");
	if (!ev)
		return;
	capture_start();
	pe_target(-5, 6, hi);
	hi[0] = 'X';		/* the record keeps what the string was at the hit */
	capture_stop();
	KEXPECT_EQ(t, shown_len, 0);
	KEXPECT_EQ(t, ev->hits, 1);
	KEXPECT_EQ(t, ringbuf_count(trace_buffer()), 1 + trace_event_data_records(9 + 2 + 2));
	read_trace();
	KEXPECT(t, strstr(printed, "# tracer: nop") != NULL);
	KEXPECT_EQ(t, count_of(printed, "pt_rec: (pe_target+0x0/0x"), 1);
	KEXPECT(t, strstr(printed, ") a=-5 s=\"hi\"\n") != NULL);
	KEXPECT_EQ(t, ringbuf_count(trace_buffer()), 0);
	/* A record outliving its event prints as removed, never as a newer event. */
	pe_target(1, 2, "x");
	probe_event_delete(ev);
	ev = define(t, "p:pt_rec2 pe_target b=$arg1:u32");
	read_trace();
	KEXPECT_EQ(t, count_of(printed, "(a removed event): (pe_target+0x0/0x"), 1);
	KEXPECT_EQ(t, count_of(printed, "pt_rec2"), 0);
	if (ev)
		probe_event_delete(ev);
	if (!KEXPECT(t, !strstr(printed, "unknown record type")))
		ktest_log(t, "%s", printed);
}

/*
 * Probes on the console's own code (the formatter, strlen, the console
 * write path): what the console shows is exactly what it shows unprobed,
 * and every event is one whole line when read.
 */
static void test_console_whole(struct ktest *t)
{
	static const char *const defs[] = {
		"p:pt_strlen strlen s=$arg0:string", "p:pt_fmt format",
		"r:pt_strlen_r strlen n=$retval:u32",
	};
	struct probe_event *evs[ARRAY_SIZE(defs)];
	char unprobed[sizeof(shown)];
	unsigned long hits = 0;
	int n = 0;

	capture_start();
	printk("whole line %s %d %s\n", "with", 42, "arguments");
	capture_stop();
	strlcpy(unprobed, shown, sizeof(unprobed));

	trace_reset();
	for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
		struct probe_event *ev;
		char err[160];

		if (probe_event_create(defs[i], &ev, err, sizeof(err)) == 0)
			evs[n++] = ev;
		else
			ktest_log(t, "not probed: %s (%s)", defs[i], err);
	}
	KEXPECT(t, n >= 2);
	capture_start();
	printk("whole line %s %d %s\n", "with", 42, "arguments");
	capture_stop();
	if (!KEXPECT(t, !strcmp(shown, unprobed)))
		ktest_log(t, "probed: '%s' unprobed: '%s'", shown, unprobed);
	for (int i = 0; i < n; i++) {
		hits += evs[i]->hits;
		ktest_log(t, "%s: %lu hits", evs[i]->name, evs[i]->hits);
	}
	KEXPECT(t, hits > 0);
	for (int i = 0; i < n; i++)	/* disarmed: the reader's own printing adds nothing */
		probe_events_enable(evs[i]->name, 0);
	read_trace();
	for (int i = 0; i < n; i++)
		probe_event_delete(evs[i]);
	KEXPECT(t, count_of(printed, "pt_fmt: (format+0x0/0x") > 0);
	KEXPECT(t, count_of(printed, " <- strlen) n=") > 0);
	/* every event line is whole: context columns, name, where, no stray text */
	for (const char *l = printed; *l;) {
		const char *end = strchr(l, '\n');
		size_t len = end ? (size_t)(end - l) : strlen(l);

		if (l[0] != '#' && !KEXPECT(t, len > 40 && !strncmp(l, "          <idle>-0       [000] ", 31)))
			ktest_log(t, "not a whole event line: %.*s", (int)len, l);
		l += len + (end != NULL);
	}
}

static void test_filter(struct ktest *t)
{
	struct probe_event *ev;
	struct probe_event *bad;
	char err[160];
	static const char *const bad_filters[] = {
		"p:pt_bad pe_target a=$arg0:s32 if b > 1",		/* unknown name */
		"p:pt_bad pe_target a=$arg0:s32 if a > \"x\"",		/* string vs number */
		"p:pt_bad pe_target s=$arg2:string if s > 3",		/* number vs string */
		"p:pt_bad pe_target a=$arg0:s32 if (a > 1",		/* unbalanced */
		"p:pt_bad pe_target a=$arg0:s32 if a >",		/* no value */
		"p:pt_bad pe_target a=$arg0:s32 if",			/* nothing */
		"p:pt_bad pe_target a=$arg0:s32 if a > 1 b",		/* trailing */
		"p:pt_bad pe_target a=$arg0:s32 if a >> 1",		/* bad operator */
	};

	trace_reset();
	ev = define(t, "p:pt_big pe_target a=$arg0:s32 s=$arg2:string if a >= 10 && s ~ \"h*\" || a == -1");
	if (!ev)
		return;
	pe_target(5, 0, "hi");		/* a too small */
	pe_target(12, 0, "hi");		/* recorded */
	pe_target(12, 0, "zz");		/* s does not match */
	pe_target(-1, 0, "zz");		/* the || */
	KEXPECT_EQ(t, ev->hits, 4);
	KEXPECT_EQ(t, ev->filtered, 2);
	read_trace();
	KEXPECT_EQ(t, count_of(printed, "pt_big: "), 2);
	KEXPECT(t, strstr(printed, "a=12 s=\"hi\"") && strstr(printed, "a=-1 s=\"zz\""));

	/* Set, change and clear a filter on a live event; a bad one changes nothing. */
	KEXPECT_EQ(t, probe_event_set_filter("pt_big", "!(a & 1)"), 0);
	KEXPECT_EQ(t, probe_event_set_filter("pt_big", "a <"), -EINVAL);
	pe_target(3, 0, "a");
	pe_target(4, 0, "a");
	KEXPECT_EQ(t, ev->filtered, 3);
	KEXPECT_EQ(t, probe_event_set_filter("pt_big", "0"), 0);
	pe_target(3, 0, "a");
	KEXPECT_EQ(t, ev->filtered, 3);
	KEXPECT_EQ(t, probe_event_set_filter("pt_nothere", "a > 1"), -ENOENT);
	probe_event_delete(ev);

	for (size_t i = 0; i < ARRAY_SIZE(bad_filters); i++) {
		if (!KEXPECT_EQ(t, probe_event_create(bad_filters[i], &bad, err, sizeof(err)), -EINVAL))
			continue;
		KEXPECT(t, bad == NULL && probe_event_find("pt_bad") == NULL);
		KEXPECT(t, strstr(err, "filter") != NULL);
		ktest_log(t, "%s -> %s", bad_filters[i] + 26, err);
	}
	probe_event_create(bad_filters[0], &bad, err, sizeof(err));
	KEXPECT(t, strstr(err, "(the event has: a)") != NULL);
	trace_reset();
}

static void test_enable_disable(struct ktest *t)
{
	struct probe_event *a = define(t, "p:pt_ena pe_target");
	struct probe_event *b = define(t, "r:pt_enb pe_target");

	if (!a || !b)
		return;
	pe_target(1, 2, "x");
	KEXPECT(t, a->hits == 1 && b->hits == 1);
	KEXPECT_EQ(t, probe_events_enable("pt_en*", 0), 2);
	KEXPECT(t, !a->enabled && !b->enabled);
	pe_target(1, 2, "x");
	KEXPECT(t, a->hits == 1 && b->hits == 1);
	KEXPECT(t, probe_event_find("pt_ena") == a);	/* still defined */
	KEXPECT_EQ(t, probe_events_enable("pt_enb", 1), 1);
	KEXPECT_EQ(t, probe_events_enable("pt_enb", 1), 0);	/* already on */
	pe_target(1, 2, "x");
	KEXPECT(t, a->hits == 1 && b->hits == 2);
	KEXPECT_EQ(t, probe_events_enable("pt_zz*", 1), -ENOENT);
	probe_event_delete(a);
	probe_event_delete(b);
	trace_reset();
}

/* Thousands of events at once: defined, hit, read back, removed. */
#define MANY 4096
static void test_thousands(struct ktest *t)
{
	static struct probe_event *evs[MANY];
	unsigned long before = probe_events_count();
	char def[64], err[160];
	int n = 0, all_hit = 1;

	trace_reset();
	for (; n < MANY; n++) {
		snprintf(def, sizeof(def), "p:pt_m%d pe_target a=$arg0:u32", n);
		if (probe_event_create(def, &evs[n], err, sizeof(err))) {
			ktest_log(t, "%s: %s", def, err);
			break;
		}
	}
	KEXPECT_EQ(t, n, MANY);
	KEXPECT_EQ(t, probe_events_count(), before + n);
	pe_target(77, 0, "x");
	for (int i = 0; i < n; i++)
		all_hit &= evs[i]->hits == 1;
	KEXPECT(t, all_hit);
	read_trace();
	/* the header's 12 lines, then one line per hit (the collector keeps the first KiBs) */
	KEXPECT_EQ(t, printed_lines, 12u + (unsigned)n);
	KEXPECT(t, strstr(printed, ": pt_m0: (pe_target+0x0/0x") && strstr(printed, ") a=77\n"));
	KEXPECT(t, strstr(last_line, ") a=77") != NULL);
	KEXPECT_EQ(t, trace_dropped(), 0);
	for (int i = 0; i < n; i++)
		probe_event_delete(evs[i]);
	KEXPECT_EQ(t, probe_events_count(), before);
	/* The slots are reused, and the names are free again. */
	KEXPECT(t, define(t, "p:pt_m0 pe_target") != NULL);
	probe_event_delete(probe_event_find("pt_m0"));
}

/* A full buffer keeps its oldest records and says how many it lost. */
static void test_lost(struct ktest *t)
{
	struct probe_event *ev = define(t, "p:pt_lost pe_target s=$arg2:string");
	unsigned long per = 1 + trace_event_data_records(2 + 40), fit;

	if (!ev)
		return;
	trace_reset();
	fit = TRACE_RECORDS / per;
	for (unsigned long i = 0; i < fit + 10; i++)
		pe_target(0, 0, "0123456789012345678901234567890123456789");
	KEXPECT_EQ(t, ev->hits, fit + 10);
	KEXPECT_EQ(t, ev->dropped, 10);
	KEXPECT_EQ(t, trace_dropped(), 10);
	probe_event_delete(ev);
	printed_lines = 0;
	printed_len = 0;
	trace_print_lines(collect, NULL, NULL);
	KEXPECT_EQ(t, printed_lines, fit + 1);
	KEXPECT(t, !strcmp(last_line, "CPU:0 [LOST 10 EVENTS]"));
	trace_reset();
}

static const struct ktest_case probe_trace_cases[] = {
	{ "recorded_not_printed", test_recorded_not_printed },
	{ "console_whole", test_console_whole },
	{ "filter", test_filter },
	{ "enable_disable", test_enable_disable },
	{ "thousands", test_thousands },
	{ "lost", test_lost },
	{ 0 },
};
/* Under hook_all=1 the boot-wide tracers fill the same buffer: counts would not add up. */
static const struct ktest_suite probe_trace_suite = { "probe_trace", probe_trace_cases,
						      ktest_skip_if_hook_all };
KTEST_SUITE(probe_trace_suite);
