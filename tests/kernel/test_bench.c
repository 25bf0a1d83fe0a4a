/* Self-tests of the benchmark's arithmetic: statistics and fixed point. */
#include "kernel/bench/bench.h"
#include "kernel/ktest.h"
#include "lib/string.h"

static void test_stats(struct ktest *t)
{
	long long v[200];
	struct bench_stats st;

	/* 200 values 1..200 in reverse: sorted, min 1, median 100, p99 198. */
	for (int i = 0; i < 200; i++)
		v[i] = 200 - i;
	bench_stats(v, 200, &st);
	KEXPECT_EQ(t, st.min, 1);
	KEXPECT_EQ(t, st.median, 100);
	KEXPECT_EQ(t, st.p99, 198);
	for (int i = 1; i < 200; i++)
		KEXPECT(t, v[i - 1] <= v[i]);
}

static void test_stats_small(struct ktest *t)
{
	long long one[1] = { -5 }, three[3] = { 7, -2, 7 };
	struct bench_stats st;

	bench_stats(one, 1, &st);
	KEXPECT(t, st.min == -5 && st.median == -5 && st.p99 == -5);
	bench_stats(three, 3, &st);
	KEXPECT(t, st.min == -2 && st.median == 7 && st.p99 == 7);
}

static void test_fixed(struct ktest *t)
{
	char b[24];

	KEXPECT(t, !strcmp(bench_fixed(b, sizeof(b), 12345), "12.345"));
	KEXPECT(t, !strcmp(bench_fixed(b, sizeof(b), 7), "0.007"));
	KEXPECT(t, !strcmp(bench_fixed(b, sizeof(b), 0), "0.000"));
	KEXPECT(t, !strcmp(bench_fixed(b, sizeof(b), -1500), "-1.500"));
	KEXPECT(t, !strcmp(bench_fixed(b, sizeof(b), 18446744073709551LL), "18446744073709.551"));
}

/* The targets compute what they should (the recursion counts its levels). */
static void test_targets(struct ktest *t)
{
	KEXPECT_EQ(t, bench_target(4), 13);
	KEXPECT_EQ(t, bench_recurse(0), 0);
	KEXPECT_EQ(t, bench_recurse(50), 50);
}

static const struct ktest_case cases[] = {
	{ "stats", test_stats },
	{ "stats_small", test_stats_small },
	{ "fixed", test_fixed },
	{ "targets", test_targets },
	{ 0 },
};
static const struct ktest_suite bench_suite = { "bench", cases, NULL };
KTEST_SUITE(bench_suite);
