/* kmain: from the boot entry to the mode the command line asks for. */
#include <stdint.h>
#include "kernel/dev/acpi.h"
#include "kernel/arch.h"
#include "kernel/bench/bench.h"
#include "kernel/bootinfo.h"
#include "kernel/btf.h"
#include "kernel/cmdline.h"
#include "kernel/dev/console.h"
#include "kernel/cpu.h"
#include "kernel/cpuinfo.h"
#include "kernel/probes/fentry.h"
#include "kernel/trace/fgraph.h"
#include "kernel/kallsyms.h"
#include "kernel/ktest.h"
#include "kernel/mm/mm.h"
#include "kernel/dev/power.h"
#include "kernel/errno.h"
#include "kernel/trace/probe_events.h"
#include "kernel/trace/profile.h"
#include "kernel/probes/shadow_stack.h"
#include "kernel/shell.h"
#include "kernel/smp/smp.h"
#include "kernel/trace/trace.h"
#include "kernel/tsc.h"
#include "lib/format.h"
#include "lib/string.h"

#define UNIPROBE_VERSION "0.1"

static void cpu_print(void)
{
	struct cpu_info c;

	cpu_identify(&c);
	printk("cpu: %s family %u model %u stepping %u%s%s\n", c.vendor, c.family, c.model,
	       c.stepping, c.under_hypervisor ? ", hypervisor " : "", c.hypervisor);
	if (c.brand[0])
		printk("cpu: %s\n", c.brand);
}

/*
 * What this kernel cannot run without: CPUID (the ID flag, EFLAGS bit 21,
 * can be changed) and the TSC. NULL, or what is missing (a 486).
 */
static const char *cpu_missing(void)
{
	unsigned long a, b;
	uint32_t r[4];

	asm volatile("pushf; pushf; pop %0; mov %0, %1; xor %2, %0; push %0; popf; pushf; pop %0; popf"
		     : "=&r"(a), "=&r"(b) : "i"(1ul << 21) : "cc");
	if (!((a ^ b) & (1ul << 21)))
		return "CPUID";
	cpuid(1, r);
	return r[3] & (1u << 4) ? NULL : "time-stamp counter";
}

static void finish(int failures)
{
	if (kopt.qemu_exit)
		qemu_exit(failures ? 1 : 0);
	printk("uniprobe: done\n");
	shell_run();
}

/* Some of what the kernel does at boot, to show under the graph tracer. */
static __noinline unsigned long boot_selfwork(void)
{
	char line[80];
	unsigned long sum = 0;

	for (int i = 0; i < 3; i++) {
		void *p = kmalloc(64 << i);

		snprintf(line, sizeof(line), "%s", sym_lookup((unsigned long)boot_selfwork, NULL, NULL));
		sum += strlen(line) + sym_addr("boot_selfwork");
		kfree(p);
	}
	return sum;
}

#define TRACE_BOOT_DEPTH	4	/* function_graph: calls this deep at most */

static const char *why(int err)
{
	return err == -ENOENT ? ": no traceable function matches" : "";
}

/*
 * mode=trace: trace boot_selfwork. trace=[graph:|function:]GLOB picks the
 * tracer and the functions (default: function_graph of every function,
 * TRACE_BOOT_DEPTH deep); profile=GLOB profiles meanwhile. The records go
 * out twice: as TRACE lines on serial (for tests/trace.py, `make trace`),
 * then in Linux's text format on every console; the profile table last.
 */
static int trace_boot(void)
{
	const char *glob = kopt.trace_glob[0] ? kopt.trace_glob : NULL;
	const char *tracer = kopt.trace_function ? "function" : "function_graph";
	int err;

	err = kopt.trace_function ? function_tracer_start(glob) : fgraph_start(glob, TRACE_BOOT_DEPTH);
	if (err) {
		printk("trace: cannot start the %s tracer on '%s' (error %d%s)\n", tracer,
		       glob ? glob : "*", err, why(err));
		return 1;
	}
	if (kopt.profile_glob[0] && (err = profile_start(kopt.profile_glob)) != 0)
		printk("profile: cannot profile '%s' (error %d%s)\n", kopt.profile_glob, err, why(err));
	trace_reset();	/* without what the setup itself called (text_poke's memcpy...) */
	boot_selfwork();
	profile_stop();
	if (kopt.trace_function)
		function_tracer_stop();
	else
		fgraph_stop();
	if (kopt.trace_function)
		printk("trace: function tracer on '%s' over boot_selfwork\n", glob ? glob : "*");
	else
		printk("trace: function_graph of boot_selfwork on '%s' (%lu functions hooked, depth <= %d)\n",
		       glob ? glob : "*", fgraph_functions(), TRACE_BOOT_DEPTH);
	trace_dump_json();
	if (kopt.trace_function)
		trace_print_function(trace_out_printk, NULL);
	else
		fgraph_print();
	if (kopt.profile_glob[0] && !err)
		profile_show(trace_out_printk, NULL);
	return err != 0;
}

/*
 * mode=test. With hook_all=1 every traceable function is hooked by the
 * function tracer and the function graph tracer (one return hijack each)
 * while the self-tests run: the hooks must change no result.
 */
static int run_self_tests(void)
{
	struct shadow_stats st;
	int failures, hooked = 0;

	if (kopt.hook_all) {
		hooked = function_tracer_start(NULL) == 0 && fgraph_start(NULL, 0) == 0;
		printk("hook_all: %s\n", hooked ? "every traceable function hooked" : "could not hook");
		if (!hooked)
			return 1;
	}
	failures = ktest_run_all(kopt.test_filter) + kopt.errors;
	if (hooked) {
		fgraph_stop();
		function_tracer_stop();
		shadow_stack_get_stats(&st);
		printk("hook_all: shadow stack pushed %lu, popped %lu, stale dropped %lu, "
		       "overflows %lu, lost %lu, max depth %u; trace records dropped %lu\n",
		       st.pushed, st.popped, st.stale_dropped, st.overflows, st.lost,
		       st.max_depth, trace_dropped());
		failures += st.lost != 0;
	}
	return failures;
}

/*
 * fault_cpu=N: CPU N dereferences NULL while CPU 0 waits here; the fault
 * report must name CPU N and show every other CPU's backtrace (by NMI).
 */
static volatile uintptr_t page_zero;	/* a variable: the analyzers need not see a NULL store */

static void fault_on_purpose(void *arg)
{
	(void)arg;
	*(volatile int *)page_zero = 1;	/* page 0 is never mapped */
}

static __noinline void wait_for_the_fault(int cpu)
{
	uint64_t t0 = rdtsc();

	if (smp_work_start(cpu, fault_on_purpose, NULL)) {
		printk("fault_cpu: CPU %d is not online\n", cpu);
		kopt.errors++;
		return;
	}
	while (rdtsc() - t0 < (tsc.hz ? tsc.hz : 1000000000ull) * 10)
		cpu_relax();
	printk("fault_cpu: CPU %d did not fault\n", cpu);
	kopt.errors++;
}

void kmain(uint32_t magic, uint32_t info);

void kmain(uint32_t magic, uint32_t info)
{
	const char *missing;
	int bad_boot;

	serial_init();
	bad_boot = multiboot2_parse(magic, info);
	screen_console_init(&boot_info.fb);
	printk("\nuniprobe %s (%s) - dynamic instrumentation unikernel\n", UNIPROBE_VERSION, ARCH_NAME);
	if (bad_boot) {
		printk("uniprobe: not booted by a multiboot2 loader (magic %#x); stopping\n", magic);
		halt_forever();
	}
	cmdline_parse(boot_info.cmdline);
	console_enable_kinds(kopt.consoles);
	console_list();
	if ((missing = cpu_missing()) != NULL) {
		printk("uniprobe: this CPU has no %s; a Pentium-class CPU is needed; stopping\n", missing);
		if (kopt.qemu_exit)
			qemu_exit(1);
		halt_forever();
	}
	cpu_print();
	bootinfo_print();
	tsc_init();
	arch_init();
	mm_init();
	kernel_btf_init();
	ftrace_init();
	if (profile_init())
		printk("profile: no memory for the counters; the profiler is off\n");
	acpi_init();
	smp_init();
	if (kopt.fault_cpu)
		wait_for_the_fault(kopt.fault_cpu);
	kopt.errors += probe_events_apply_cmdline();
	printk("mode: %s\n", boot_mode_name(kopt.mode));
	if ((kopt.trace_glob[0] || kopt.profile_glob[0]) && kopt.mode != MODE_TRACE)
		printk("cmdline: trace= and profile= apply to mode=trace only\n");

	switch (kopt.mode) {
	case MODE_TEST:
		finish(run_self_tests());
		break;
	case MODE_BENCH: {
		int failed = bench_run_all(kopt.bench_filter);

		/* A person at the screen, unless automation asked to exit when done. */
		if (kopt.qr > 0 || (kopt.qr < 0 && !kopt.qemu_exit))
			bench_qr_show();
		finish(failed + kopt.errors);
		break;
	}
	case MODE_TRACE:
		finish(trace_boot());
		break;
	case MODE_IDLE:
		/* Stay up (screen tests dump the screen after this line). */
		printk("uniprobe: idle\n");
		shell_run();
	}
}
