/* The time-stamp counter: calibration against the PIT, cycles -> ns. */
#ifndef KERNEL_TSC_H
#define KERNEL_TSC_H
#include <stdint.h>

struct tsc_info {
	uint64_t hz;		/* 0 when unknown */
	const char *source;	/* "PIT", "CPUID 0x15", "hypervisor" or "unknown" */
	int invariant;		/* CPUID 0x80000007 EDX[8] */
	int rdtscp;		/* CPUID 0x80000001 EDX[27] */
	int lfence_serializes;	/* lfence orders rdtsc (Intel; AMD with the MSR bit) */
};

extern struct tsc_info tsc;

void tsc_init(void);
/* One PIT-timed measurement of the TSC rate over `ms` milliseconds; 0 without a PIT. */
uint64_t tsc_measure_pit(unsigned ms);
uint64_t tsc_measure_pit_median(unsigned n, unsigned ms);
uint64_t tsc_cycles_to_ns(uint64_t cycles);
/* rdtsc ordered against earlier instructions (lfence or cpuid). */
uint64_t tsc_read_ordered(void);

#endif
