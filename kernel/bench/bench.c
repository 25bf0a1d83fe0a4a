/*
 * The benchmark framework: time each scenario's run() in batches with the
 * TSC, interrupts off, after a warm-up; report min / median / p99 of the
 * per-batch averages and the overhead over "call". A table goes to every
 * console, one BENCH {json} line per result to serial only. Integer math:
 * values are kept in thousandths of a cycle (or instruction under icount).
 */
#include <stdint.h>
#include "kernel/arch.h"
#include "kernel/bench/bench.h"
#include "kernel/smp/smp.h"
#include "kernel/cmdline.h"
#include "kernel/dev/console.h"
#include "kernel/cpuinfo.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/tsc.h"
#include "lib/format.h"
#include "lib/string.h"

#define BENCH_WARMUP	20	/* batches run and thrown away */
#define BENCH_BATCHES	200
#define BENCH_CALLS	100	/* hits per batch */
#define BENCH_MAX	64	/* scenarios */

extern const struct bench_scenario *const __bench_scenarios_start[], *const __bench_scenarios_end[];

/* Table order: the stable ids from the issue; other ids follow in link order. */
static const char *const bench_order[] = {
	"call", "int3_floor", "trampoline_floor", "fentry_nop", "fentry_hook", "ftrace_function",
	"kprobe_boost", "kprobe_sstep", "kprobe_emulate", "optprobe", "rethook",
	"fgraph", "rethook_fgraph", "scale_probes_1", "scale_probes_10",
	"scale_probes_100", "scale_probes_1000", "scale_probes_10000", "recursion_1000",
	"smp_kprobe_boost", "smp_optprobe", "smp_fentry_hook", "smp_rethook",
};

static long long samples[BENCH_BATCHES];
static struct bench_result results[BENCH_MAX];	/* of the last run, for bench_qr.c */
static unsigned result_count;

notrace void bench_run_target(void)
{
	bench_sink = bench_target(bench_sink);
}

/* The baseline: every scenario that probes bench_target shares its run(). */
static const struct bench_scenario call = {
	.id = "call", .what = "unprobed call of bench_target", .run = bench_run_target,
};
BENCH_SCENARIO(call);

char *bench_fixed(char *buf, unsigned size, long long milli)
{
	unsigned long long a = milli < 0 ? -(unsigned long long)milli : (unsigned long long)milli;

	snprintf(buf, size, "%s%llu.%03llu", milli < 0 ? "-" : "", a / 1000, a % 1000);
	return buf;
}

void bench_stats(long long *v, unsigned n, struct bench_stats *out)
{
	/* Insertion sort: n is a few hundred. */
	for (unsigned i = 1; i < n; i++) {
		long long x = v[i];
		unsigned j = i;

		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	out->min = v[0];
	out->median = v[(n - 1) / 2];
	out->p99 = v[(99 * n + 99) / 100 - 1];	/* nearest rank: ceil(0.99 n) */
}

/*
 * Time run() for BENCH_BATCHES batches of BENCH_CALLS hits; fill st with
 * thousandths of a TSC tick per target call. The loop is the same for every
 * scenario, so its own cost cancels in the overhead.
 */
static notrace void bench_time(void (*run)(void), unsigned levels, struct bench_stats *st)
{
	unsigned long flags = irq_save();

	for (unsigned b = 0; b < BENCH_WARMUP + BENCH_BATCHES; b++) {
		uint64_t t0 = tsc_read_ordered();

		for (unsigned i = 0; i < BENCH_CALLS; i++)
			run();
		uint64_t t = tsc_read_ordered() - t0;
		if (b >= BENCH_WARMUP)
			samples[b - BENCH_WARMUP] = (long long)(t * 1000 / ((uint64_t)BENCH_CALLS * levels));
	}
	irq_restore(flags);
	bench_stats(samples, BENCH_BATCHES, st);
}

const char *bench_unit(void)
{
	return kopt.icount ? "instructions" : "cycles";
}

/* ---- the machine: CPU model (kernel/cpuinfo.h), hypervisor ---- */

/* s as a JSON string body: quotes, backslashes and control bytes escaped. */
const char *bench_json_escape(char *buf, unsigned size, const char *s)
{
	unsigned n = 0;

	for (; *s && n + 7 < size; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			buf[n++] = '\\';
			buf[n++] = ch;
		} else if (ch < 0x20 || ch >= 0x7f) {
			n += snprintf(buf + n, size - n, "\\u%04x", ch);
		} else {
			buf[n++] = ch;
		}
	}
	buf[n] = 0;
	return buf;
}

static void print_info(const struct bench_scenario *const *list, unsigned n)
{
	struct cpu_info c;
	char brand[120], vendor[40], hv[40], mhz[24];

	cpu_identify(&c);
	bench_fixed(mhz, sizeof(mhz), (long long)(tsc.hz / 1000));
	printk("\nbench: %s on %s\n", ARCH_NAME, c.brand[0] ? c.brand : "an unnamed CPU");
	printk("bench: %s, %s%s; tsc %s MHz (%s)%s\n", c.vendor,
	       c.under_hypervisor ? "hypervisor " : "bare metal", c.hypervisor,
	       tsc.hz ? mhz : "?", tsc.source, kopt.icount ? ", icount" : "");
	printk("bench: %u batches x %u hits after %u warm-up batches; %s per hit\n",
	       BENCH_BATCHES, BENCH_CALLS, BENCH_WARMUP, bench_unit());
	printk_on(CON_SERIAL, "BENCH_INFO {\"arch\":\"%s\",\"cpu\":\"%s\",\"vendor\":\"%s\","
		  "\"hypervisor\":%s,\"hypervisor_id\":\"%s\",\"tsc_hz\":%llu,\"tsc_source\":\"%s\","
		  "\"unit\":\"%s\",\"icount\":%s,\"batches\":%u,\"calls\":%u,\"warmup\":%u,\"scenarios\":[",
		  ARCH_NAME, bench_json_escape(brand, sizeof(brand), c.brand), bench_json_escape(vendor, sizeof(vendor), c.vendor),
		  c.under_hypervisor ? "true" : "false", bench_json_escape(hv, sizeof(hv), c.hypervisor),
		  (unsigned long long)tsc.hz, tsc.source, bench_unit(), kopt.icount ? "true" : "false",
		  BENCH_BATCHES, BENCH_CALLS, BENCH_WARMUP);
	for (unsigned i = 0; i < n; i++)
		printk_on(CON_SERIAL, "%s\"%s\"", i ? "," : "", list[i]->id);
	printk_on(CON_SERIAL, "]}\n");
	printk("bench: overhead = median - median of call%s\n\n",
	       kopt.icount ? "; icount: one tick per instruction" : tsc.hz ? "; ns from the TSC rate" : "");
	printk("%-18s %10s %10s %10s %10s%s\n", "scenario", "min", "median", "p99", "overhead",
	       kopt.icount || !tsc.hz ? "" : "  median ns");
}

/* One result: a table row on every console, a BENCH line on serial. */
static void print_result(const struct bench_scenario *s, const struct bench_stats *st,
			 long long overhead)
{
	char min[24], med[24], p99[24], ovh[24], ns[24], what[160];
	int have_ns = !kopt.icount && tsc.hz;

	results[result_count++] = (struct bench_result){ s->id, st->median, overhead, 0 };

	bench_fixed(min, sizeof(min), st->min);
	bench_fixed(med, sizeof(med), st->median);
	bench_fixed(p99, sizeof(p99), st->p99);
	bench_fixed(ovh, sizeof(ovh), overhead);
	if (have_ns)
		bench_fixed(ns, sizeof(ns), st->median < 0 ? 0 : (long long)tsc_cycles_to_ns(st->median));
	else
		strlcpy(ns, "null", sizeof(ns));
	printk("%-18s %10s %10s %10s %10s", s->id, min, med, p99, ovh);
	if (have_ns)
		printk(" %10s", ns);
	printk("\n");
	printk_on(CON_SERIAL, "BENCH {\"arch\":\"%s\",\"scenario\":\"%s\",\"unit\":\"%s\",\"min\":%s,"
		  "\"median\":%s,\"p99\":%s,\"overhead\":%s,\"ns_median\":%s,\"levels\":%u,\"what\":\"%s\"}\n",
		  ARCH_NAME, s->id, bench_unit(), min, med, p99, ovh, ns, s->levels ? s->levels : 1,
		  bench_json_escape(what, sizeof(what), s->what ? s->what : ""));
}

static void print_failure(const struct bench_scenario *s, const char *why, int err)
{
	results[result_count++] = (struct bench_result){ .id = s->id, .failed = 1 };
	printk("%-18s FAILED: %s (%d)\n", s->id, why, err);
	printk_on(CON_SERIAL, "BENCH {\"arch\":\"%s\",\"scenario\":\"%s\",\"error\":\"%s (%d)\"}\n",
		  ARCH_NAME, s->id, why, err);
}

/* Position of an id in bench_order; unknown ids sort last. */
static unsigned order_of(const char *id)
{
	for (unsigned i = 0; i < ARRAY_SIZE(bench_order); i++)
		if (!strcmp(bench_order[i], id))
			return i;
	return ARRAY_SIZE(bench_order);
}

/* The selected scenarios in table order, "call" first. Returns the count. */
static unsigned select_scenarios(const char *filter, const struct bench_scenario **list, int *dups)
{
	unsigned n = 0;

	*dups = 0;
	for (const struct bench_scenario *const *p = __bench_scenarios_start; p < __bench_scenarios_end; p++) {
		const struct bench_scenario *s = *p;
		unsigned j;

		if (s != &call && !glob_match(filter, s->id))
			continue;
		for (j = 0; j < n && strcmp(list[j]->id, s->id); j++)
			;
		if (j < n) {
			printk("bench: scenario id '%s' is registered twice; ignoring the second\n", s->id);
			(*dups)++;
			continue;
		}
		if (n == BENCH_MAX) {
			printk("bench: more than %d scenarios; ignoring '%s'\n", BENCH_MAX, s->id);
			(*dups)++;
			continue;
		}
		/* Stable insertion by table order. */
		for (j = n++; j > 0 && order_of(list[j - 1]->id) > order_of(s->id); j--)
			list[j] = list[j - 1];
		list[j] = s;
	}
	return n;
}

static int filter_matches_any(const char *filter)
{
	for (const struct bench_scenario *const *p = __bench_scenarios_start; p < __bench_scenarios_end; p++)
		if (glob_match(filter, (*p)->id))
			return 1;
	return 0;
}

int bench_run_all(const char *filter)
{
	static const struct bench_scenario *list[BENCH_MAX];
	static long long overheads[BENCH_MAX];
	struct bench_stats base = { 0 }, st;	/* "call" sorts first and sets it */
	unsigned n;
	int failed;

	if (!filter_matches_any(filter)) {
		printk("bench: no scenario matches '%s'; have:", filter);
		for (const struct bench_scenario *const *p = __bench_scenarios_start; p < __bench_scenarios_end; p++)
			printk(" %s", (*p)->id);
		printk("\n");
		return 1;
	}
	n = select_scenarios(filter, list, &failed);
	result_count = 0;
	print_info(list, n);
	for (unsigned i = 0; i < n; i++) {
		const struct bench_scenario *s = list[i];
		unsigned levels = s->levels ? s->levels : 1;
		struct bench_stats own;
		int err;

		if (s->own_baseline)
			bench_time(s->baseline ? s->baseline : s->run, levels, &own);
		if (s->setup && (err = s->setup()) != 0) {
			print_failure(s, "setup failed", err);
			failed++;
			continue;
		}
		bench_time(s->run, levels, &st);
		if (s->teardown)
			s->teardown();
		if (s == &call)
			base = st;
		overheads[i] = st.median - (s->own_baseline ? own : base).median;
		print_result(s, &st, overheads[i]);
		/* smp_<kind>: against <kind> on one CPU, when it ran before */
		for (unsigned j = 0; j < i && !strncmp(s->id, "smp_", 4); j++) {
			char ratio[24];

			if (strcmp(list[j]->id, s->id + 4) || overheads[j] <= 0)
				continue;
			bench_fixed(ratio, sizeof(ratio), overheads[i] * 1000 / overheads[j]);
			printk("    %d CPUs at once, cpu %d: %s x the one-CPU overhead of %s\n", nr_cpus_online,
			       smp_processor_id(), ratio, list[j]->id);
		}
	}
	printk("\nbench: %u scenarios, %d failed\n", n, failed);
	return failed;
}

const struct bench_result *bench_results(unsigned *n)
{
	*n = result_count;
	return results;
}
