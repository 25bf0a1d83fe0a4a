/* TSC calibration checks. */
#include <stddef.h>
#include "kernel/ktest.h"
#include "kernel/tsc.h"

/*
 * Longer PIT windows must agree with the boot calibration to 2 %. Under
 * emulation a busy host can stretch one measurement; three tries of a
 * median of five 50 ms windows keep that from deciding the result.
 */
static void test_tsc_matches_pit(struct ktest *t)
{
	uint64_t hz = 0, diff = 0;

	if (!tsc.hz || tsc.source[0] != 'P') {
		ktest_skip(t, "TSC not calibrated against the PIT");
		return;
	}
	for (int attempt = 0; attempt < 3; attempt++) {
		hz = tsc_measure_pit_median(5, 50);
		diff = hz > tsc.hz ? hz - tsc.hz : tsc.hz - hz;
		if (diff * 50 <= tsc.hz)
			break;
	}
	ktest_log(t, "boot %llu Hz, 50 ms windows %llu Hz", (unsigned long long)tsc.hz,
		  (unsigned long long)hz);
	KEXPECT(t, hz != 0);
	KEXPECT(t, diff * 50 <= tsc.hz);
}

static void test_cycles_to_ns(struct ktest *t)
{
	uint64_t ms;

	if (!tsc.hz) {
		ktest_skip(t, "TSC frequency unknown (no PIT, no CPUID 0x15)");
		return;
	}
	ms = tsc_cycles_to_ns(tsc.hz / 1000);

	KEXPECT_EQ(t, tsc_cycles_to_ns(tsc.hz), 1000000000ULL);
	/* The short-interval path agrees with the exact one to 0.01 %. */
	KEXPECT(t, ms >= 999900 && ms <= 1000100);
	KEXPECT_EQ(t, tsc_cycles_to_ns(tsc.hz * 3600), 3600ULL * 1000000000ULL);
	KEXPECT(t, tsc_read_ordered() < tsc_read_ordered());
}

static const struct ktest_case tsc_cases[] = {
	{ "matches_pit", test_tsc_matches_pit },
	{ "cycles_to_ns", test_cycles_to_ns },
	{ 0 },
};
static const struct ktest_suite tsc_suite = { "tsc", tsc_cases, NULL };
KTEST_SUITE(tsc_suite);
