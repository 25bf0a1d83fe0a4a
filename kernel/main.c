/* kmain: from the boot entry to the mode the command line asks for. */
#include <stdint.h>
#include "kernel/dev/acpi.h"
#include "kernel/arch.h"
#include "kernel/bench/bench.h"
#include "kernel/bootinfo.h"
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
#include "kernel/trace/probe_events.h"
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

/* mode=trace: a function_graph trace of boot_selfwork on every console. */
static int trace_boot(void)
{
	int err;

	trace_reset();
	err = fgraph_start(NULL, 4);
	if (err) {
		printk("trace: cannot start the function graph tracer (%d)\n", err);
		return 1;
	}
	boot_selfwork();
	fgraph_stop();
	printk("trace: function_graph of boot_selfwork (%lu functions hooked, depth <= 4)\n",
	       fgraph_functions());
	fgraph_print();
	return 0;
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
static void fault_on_purpose(void *arg)
{
	(void)arg;
	*(volatile int *)0 = 1;
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
	ftrace_init();
	acpi_init();
	smp_init();
	if (kopt.fault_cpu)
		wait_for_the_fault(kopt.fault_cpu);
	kopt.errors += probe_events_apply_cmdline();
	printk("mode: %s\n", boot_mode_name(kopt.mode));

	switch (kopt.mode) {
	case MODE_TEST:
		finish(run_self_tests());
		break;
	case MODE_BENCH:
		finish(bench_run_all(kopt.bench_filter) + kopt.errors);
		break;
	case MODE_TRACE:
		finish(trace_boot());
		break;
	case MODE_IDLE:
		/* Stay up (screen tests dump the screen after this line). */
		printk("uniprobe: idle\n");
		shell_run();
	}
}
