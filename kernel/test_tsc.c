/* TSC calibration checks. */
#include "kernel/ktest.h"
#include "kernel/tsc.h"

/* A second, longer PIT window must agree with the boot calibration to 2 %. */
static void test_tsc_matches_pit(struct ktest *t)
{
	uint64_t best = 0, diff;

	if (!tsc.hz || tsc.source[0] != 'P') {
		ktest_skip(t, "TSC not calibrated against the PIT");
		return;
	}
	for (int i = 0; i < 3; i++) {
		uint64_t hz = tsc_measure_pit(50);
		if (hz && (!best || hz < best))
			best = hz;
	}
	diff = best > tsc.hz ? best - tsc.hz : tsc.hz - best;
	ktest_log(t, "boot %llu Hz, 50 ms window %llu Hz", (unsigned long long)tsc.hz,
		  (unsigned long long)best);
	KEXPECT(t, best != 0);
	KEXPECT(t, diff * 50 <= tsc.hz);
}

static void test_cycles_to_ns(struct ktest *t)
{
	KEXPECT_EQ(t, tsc_cycles_to_ns(tsc.hz), 1000000000ULL);
	KEXPECT_EQ(t, tsc_cycles_to_ns(tsc.hz * 3600), 3600ULL * 1000000000ULL);
	KEXPECT(t, tsc_read_ordered() < tsc_read_ordered());
}

static const struct ktest_case tsc_cases[] = {
	{ "matches_pit", test_tsc_matches_pit },
	{ "cycles_to_ns", test_cycles_to_ns },
	{ 0 },
};
static const struct ktest_suite tsc_suite = { "tsc", tsc_cases };
KTEST_SUITE(tsc_suite);
