/*
 * The function profiler: exact hit counts, nested totals, stop / show /
 * restart, and bad globs that change nothing. This file is compiled with
 * -pg: its proftest_* functions have fentry sites.
 */
#include "kernel/compiler.h"
#include "kernel/errno.h"
#include "kernel/ktest.h"
#include "kernel/trace/profile.h"
#include "lib/format.h"
#include "lib/string.h"

__noinline int proftest_leaf(int x) { barrier(); return x * 3; }
__noinline int proftest_middle(int x) { barrier(); return proftest_leaf(x) + 1; }
__noinline int proftest_outer(int x) { barrier(); return proftest_middle(x) + proftest_leaf(x); }

#define LEAF	((unsigned long)proftest_leaf)
#define MIDDLE	((unsigned long)proftest_middle)
#define OUTER	((unsigned long)proftest_outer)

static struct profile_stat stat_of(unsigned long fn)
{
	struct profile_stat st = { 0 };

	profile_get(fn, &st);
	return st;
}

static void test_hits_exact(struct ktest *t)
{
	struct profile_stat st;
	int sum = 0;

	KEXPECT_EQ(t, profile_start("proftest_leaf"), 0);
	KEXPECT(t, profile_running());
	KEXPECT_EQ(t, profile_functions(), 1);
	for (int i = 0; i < 37; i++)
		sum += proftest_leaf(i);
	profile_stop();
	KEXPECT(t, !profile_running());
	KEXPECT_EQ(t, sum, 3 * 36 * 37 / 2);	/* results unchanged */
	KEXPECT_EQ(t, profile_get(LEAF, &st), 0);
	KEXPECT_EQ(t, st.hits, 37);
	KEXPECT(t, st.max > 0);
	KEXPECT(t, st.total >= st.max);
	KEXPECT(t, st.total <= st.max * 37);
	KEXPECT_EQ(t, stat_of(MIDDLE).hits, 0);	/* not profiled */
	KEXPECT_EQ(t, profile_get(LEAF + 1, &st), -ENOENT);
}

/* A parent's time includes its children's. */
static void test_nested(struct ktest *t)
{
	struct profile_stat o, m, l;

	KEXPECT_EQ(t, profile_start("proftest_*"), 0);
	KEXPECT_EQ(t, profile_functions(), 3);
	for (int i = 0; i < 10; i++)
		proftest_outer(i);
	profile_stop();
	o = stat_of(OUTER);
	m = stat_of(MIDDLE);
	l = stat_of(LEAF);
	KEXPECT_EQ(t, o.hits, 10);
	KEXPECT_EQ(t, m.hits, 10);
	KEXPECT_EQ(t, l.hits, 20);
	KEXPECT(t, o.total >= m.total);
	KEXPECT(t, o.total >= l.total);
	KEXPECT(t, m.total > 0 && l.total > 0);
	KEXPECT(t, o.max >= m.max);
}

#define MAX_LINES 8

static struct {
	char text[MAX_LINES][160];
	int n;
} out;

static void collect(const char *line, void *ctx)
{
	(void)ctx;
	if (out.n < MAX_LINES)
		strlcpy(out.text[out.n], line, sizeof(out.text[0]));
	out.n++;
}

/* The first word of a table row (its function), or "". */
static const char *row_name(int i, char *buf, size_t size)
{
	const char *s = i < out.n && i < MAX_LINES ? out.text[i] : "";
	size_t n = 0;

	while (*s == ' ')
		s++;
	while (s[n] && s[n] != ' ' && n + 1 < size) {
		buf[n] = s[n];
		n++;
	}
	buf[n] = 0;
	return buf;
}

static int contains(const char *s, const char *part)
{
	for (; *s; s++)
		if (str_starts_with(s, part))
			return 1;
	return 0;
}

/* The table row of fn shows hits. */
static void expect_row(struct ktest *t, const char *fn, unsigned long hits)
{
	char want[64], name[40];

	snprintf(want, sizeof(want), "  %-32s %10lu ", fn, hits);
	for (int i = 3; i < out.n && i < MAX_LINES; i++)
		if (!strcmp(row_name(i, name, sizeof(name)), fn)) {
			if (!KEXPECT(t, str_starts_with(out.text[i], want)))
				ktest_log(t, "row '%s', want '%s...'", out.text[i], want);
			return;
		}
	KEXPECT(t, !"a row for the function");
	ktest_log(t, "no row for %s", fn);
}

static void test_stop_show_restart(struct ktest *t)
{
	char name[40];

	KEXPECT_EQ(t, profile_start("proftest_*"), 0);
	for (int i = 0; i < 5; i++)
		proftest_outer(i);
	profile_stop();
	for (int i = 0; i < 3; i++)
		proftest_outer(i);	/* stopped: not counted */
	KEXPECT_EQ(t, stat_of(OUTER).hits, 5);

	out.n = 0;
	profile_show(collect, NULL);
	KEXPECT_EQ(t, out.n, 3 + 3);
	KEXPECT(t, str_starts_with(out.text[0], "# profile: 'proftest_*', 3 functions hooked (stopped), 3 called; times in "));
	KEXPECT(t, contains(out.text[1], "Function") && contains(out.text[1], "Hit") &&
		   contains(out.text[1], "Total") && contains(out.text[1], "Avg") &&
		   contains(out.text[1], "Max"));
	/* sorted by total: outer holds the other two */
	KEXPECT(t, !strcmp(row_name(3, name, sizeof(name)), "proftest_outer"));
	expect_row(t, "proftest_outer", 5);
	expect_row(t, "proftest_middle", 5);
	expect_row(t, "proftest_leaf", 10);

	/* a restart counts from zero */
	KEXPECT_EQ(t, profile_start("proftest_leaf"), 0);
	proftest_leaf(1);
	proftest_leaf(2);
	profile_stop();
	KEXPECT_EQ(t, stat_of(LEAF).hits, 2);
	KEXPECT_EQ(t, stat_of(OUTER).hits, 0);
	out.n = 0;
	profile_show(collect, NULL);
	KEXPECT_EQ(t, out.n, 3 + 1);
	KEXPECT(t, !strcmp(row_name(3, name, sizeof(name)), "proftest_leaf"));
}

/* A bad glob is refused and the running profile goes on. */
static void test_bad_glob(struct ktest *t)
{
	char big[PROFILE_GLOB_MAX + 1];

	memset(big, '*', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	KEXPECT_EQ(t, profile_start("proftest_leaf"), 0);
	proftest_leaf(1);
	KEXPECT_EQ(t, profile_start("no_such_function_at_all*"), -ENOENT);
	KEXPECT_EQ(t, profile_start(""), -EINVAL);
	KEXPECT_EQ(t, profile_start(big), -EINVAL);
	KEXPECT(t, profile_running());
	KEXPECT(t, !strcmp(profile_glob(), "proftest_leaf"));
	proftest_leaf(2);
	profile_stop();
	KEXPECT_EQ(t, stat_of(LEAF).hits, 2);
}

static const struct ktest_case profile_cases[] = {
	{ "hits_exact", test_hits_exact },
	{ "nested", test_nested },
	{ "stop_show_restart", test_stop_show_restart },
	{ "bad_glob", test_bad_glob },
	{ 0 },
};
static const struct ktest_suite profile_suite = { "profile", profile_cases, NULL };
KTEST_SUITE(profile_suite);
