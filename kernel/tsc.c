/*
 * TSC calibration. The PIT's channel 2 counts at 1.193182 MHz and its gate
 * is in port 0x61, so it can time a window without interrupts: let it count
 * down and read it (with the TSC around each read) at both ends of the
 * window. Several windows; the median resists what sample filtering misses.
 */
#include "kernel/tsc.h"
#include "kernel/dev/console.h"
#include "kernel/cpu.h"

#define PIT_HZ		1193182
#define PIT_CH2		0x42
#define PIT_CMD		0x43
#define PORT_B		0x61
#define PORT_B_GATE2	0x01
#define PORT_B_SPKR	0x02

struct tsc_info tsc = { .source = "unknown" };

struct pit_sample {
	uint64_t tsc;		/* TSC halfway through the read */
	uint64_t spread;	/* TSC ticks the read took: its uncertainty */
	uint32_t count;
};

/* Latch and read channel 2's counter, bracketed by TSC reads. */
static void pit_sample(struct pit_sample *s)
{
	uint64_t t0 = rdtsc(), t1;
	uint8_t lo, hi;

	outb(PIT_CMD, 0x80);	/* latch channel 2 */
	lo = inb(PIT_CH2);
	hi = inb(PIT_CH2);
	t1 = rdtsc();
	s->tsc = t0 + (t1 - t0) / 2;
	s->spread = t1 - t0;
	s->count = lo | (uint32_t)hi << 8;
}

/*
 * Let channel 2 count down from 0xffff (mode 0) and sample it with the TSC
 * over `ms` milliseconds. Of the first and of the last few samples keep the
 * one whose read was quickest: a sample stretched by an SMI, or under
 * emulation by the host descheduling us, is simply not used.
 */
uint64_t tsc_measure_pit(unsigned ms)
{
	enum { GROUP = 8 };
	uint32_t ticks = (uint32_t)((uint64_t)PIT_HZ * ms / 1000);
	struct pit_sample first = { 0, ~0ULL, 0 }, last[GROUP], s, end = { 0, ~0ULL, 0 };
	unsigned n = 0;
	unsigned long spins = 0;
	uint8_t b;

	if (ticks > 0xf000)
		ticks = 0xf000;
	/* Gate on, speaker off; channel 2, lobyte/hibyte, mode 0, count 0xffff. */
	b = (inb(PORT_B) & ~PORT_B_SPKR) | PORT_B_GATE2;
	outb(PORT_B, b & ~PORT_B_GATE2);
	outb(PIT_CMD, 0xb0);
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	outb(PORT_B, b);
	do {
		pit_sample(&s);
		if (n < GROUP && s.spread < first.spread)
			first = s;
		last[n++ % GROUP] = s;
		/*
		 * No PIT: the count never moves. A real one moves within a few
		 * reads (it ticks every 0.84 us and a port read takes longer),
		 * so give up early rather than spin for seconds.
		 */
		if (n == 1000 && s.count == first.count && s.count == last[0].count)
			return 0;
		if (++spins > 5000000UL)
			return 0;
	} while (n <= GROUP || first.count - s.count < ticks);
	for (unsigned i = 0; i < GROUP; i++)
		if (last[i].spread < end.spread)
			end = last[i];
	if (first.count <= end.count)
		return 0;
	return (end.tsc - first.tsc) * PIT_HZ / (first.count - end.count);
}

static uint64_t cpuid_15_hz(void)
{
	uint32_t r[4];

	cpuid(0, r);
	if (r[0] < 0x15)
		return 0;
	cpuid(0x15, r);		/* eax/ebx: TSC/crystal ratio, ecx: crystal Hz */
	if (!r[0] || !r[1] || !r[2])
		return 0;
	return (uint64_t)r[2] * r[1] / r[0];
}

static uint64_t hypervisor_hz(void)
{
	uint32_t r[4];

	cpuid(1, r);
	if (!(r[2] & (1u << 31)))
		return 0;
	cpuid(0x40000000, r);
	if (r[0] < 0x40000010)
		return 0;
	cpuid(0x40000010, r);	/* eax: TSC kHz (VMware / KVM convention) */
	return (uint64_t)r[0] * 1000;
}

static void tsc_features(void)
{
	uint32_t r[4];
	char vendor[4];

	cpuid(0x80000000, r);
	if (r[0] >= 0x80000001) {
		cpuid(0x80000001, r);
		tsc.rdtscp = !!(r[3] & (1u << 27));
	}
	cpuid(0x80000000, r);
	if (r[0] >= 0x80000007) {
		cpuid(0x80000007, r);
		tsc.invariant = !!(r[3] & (1u << 8));
	}
	cpuid(0, r);
	*(uint32_t *)vendor = r[1];
	/* GenuineIntel with SSE2 (lfence); AMD needs an MSR check, old CPUs use cpuid */
	tsc.lfence_serializes = vendor[0] == 'G';
	cpuid(1, r);
	if (!(r[3] & (1u << 26)))
		tsc.lfence_serializes = 0;
}

/* Median of n PIT windows of ms each; 0 without a PIT. */
uint64_t tsc_measure_pit_median(unsigned n, unsigned ms)
{
	uint64_t v[9];

	if (n > 9)
		n = 9;
	if (!n)
		return 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t hz = tsc_measure_pit(ms);
		unsigned j = i;

		if (!hz)
			return 0;
		for (; j > 0 && v[j - 1] > hz; j--)
			v[j] = v[j - 1];
		v[j] = hz;
	}
	return v[n / 2];
}

/* ns per cycle in 4.28 fixed point, for intervals under 2^32 cycles. */
static uint32_t ns_per_cycle_q28;

static void set_ns_per_cycle(void)
{
	uint64_t q = tsc.hz ? (1000000000ULL << 28) / tsc.hz : 0;

	ns_per_cycle_q28 = q <= 0xffffffffULL ? (uint32_t)q : 0;
}

void tsc_init(void)
{
	uint64_t best;

	tsc_features();
	best = tsc_measure_pit_median(7, 10);
	if (best) {
		tsc.hz = best;
		tsc.source = "PIT";
	} else if ((tsc.hz = cpuid_15_hz()) != 0) {
		tsc.source = "CPUID 0x15";
	} else if ((tsc.hz = hypervisor_hz()) != 0) {
		tsc.source = "hypervisor";
	}
	set_ns_per_cycle();
	if (tsc.hz)
		printk("tsc: %llu.%03llu MHz (%s)%s%s\n", (unsigned long long)(tsc.hz / 1000000),
		       (unsigned long long)(tsc.hz / 1000 % 1000), tsc.source,
		       tsc.invariant ? ", invariant" : ", not invariant",
		       tsc.rdtscp ? ", rdtscp" : "");
	else
		printk("tsc: frequency unknown (no PIT, no CPUID 0x15); times are in cycles only\n");
}

uint64_t tsc_cycles_to_ns(uint64_t cycles)
{
	if (!tsc.hz)
		return 0;
	/* Under a second (trace durations): one 32x32 multiply, no division. */
	if (cycles < tsc.hz && cycles <= 0xffffffffULL && ns_per_cycle_q28)
		return ((uint64_t)(uint32_t)cycles * ns_per_cycle_q28) >> 28;
	/* Split to avoid overflowing 64 bits for long intervals. */
	return cycles / tsc.hz * 1000000000ULL + cycles % tsc.hz * 1000000000ULL / tsc.hz;
}

uint64_t tsc_read_ordered(void)
{
	if (tsc.lfence_serializes)
		asm volatile("lfence" ::: "memory");
	else {
		uint32_t r[4];
		cpuid(0, r);
	}
	return rdtsc();
}
