/*
 * Starting the other CPUs (APs). The MADT lists them (kernel/dev/acpi.c);
 * each one gets, prepared here on CPU 0: a stack with a guard page, a
 * zeroed per-CPU area, its GDT/TSS/exception stacks (arch_cpu_prepare).
 * Then INIT, SIPI, SIPI through the local APIC with the number of the start
 * page (trampoline16.S copied below 1 MiB): real mode -> protected mode ->
 * ap_entry32 (arch/<arch>/boot.S: paging, long mode) -> ap_main here. One
 * AP at a time: they share the start page and the ap_boot_* words.
 *
 * notrace (kernel/notrace.list): APs run this before their per-CPU segment
 * exists, and nothing here may call __fentry__.
 */
#include "kernel/smp/smp.h"
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/cpu.h"
#include "kernel/dev/acpi.h"
#include "kernel/dev/apic.h"
#include "kernel/dev/console.h"
#include "kernel/mm/mm.h"
#include "kernel/tsc.h"
#include "kernel/unwind.h"
#include "lib/string.h"

#define AP_STACK_SIZE	(64 * 1024)
#define LOW_START	0x1000u		/* the start page: below 1 MiB, not page 0 */
#define LOW_END		0x9f000u	/* EBDA and ROMs above */
#define MSR_EFER	0xc0000080
#define EFER_LME	(1u << 8)
#define EFER_NXE	(1u << 11)
#define START_WAIT_MS	5000

extern char __percpu_start[], __percpu_end[];
extern const char smp_tramp_start[], smp_tramp_end[], smp_tramp_gdt_base[];
/* arch/<arch>/boot.S: what ap_entry32 loads */
extern uint32_t ap_boot_cr0, ap_boot_cr3, ap_boot_cr4, ap_boot_efer;
extern unsigned long ap_boot_stack;

void ap_main(void);

struct cpu cpus[NR_CPUS];
int nr_cpus = 1, nr_cpus_online = 1;
unsigned long per_cpu_offset[NR_CPUS];
DEFINE_PER_CPU(unsigned long, this_cpu_off);
DEFINE_PER_CPU(int, cpu_number);
DEFINE_PER_CPU(unsigned long, cpu_hits);

static volatile int booting_cpu, ap_alive;
static uint64_t max_skew;
static int skew_unmeasured;

static uint64_t ms_to_tsc(unsigned ms)
{
	return (tsc.hz ? tsc.hz : 1000000000ull) / 1000 * ms;
}

static void delay_us(unsigned us)
{
	uint64_t t0 = rdtsc(), n = (tsc.hz ? tsc.hz : 1000000000ull) / 1000000 * us;

	while (rdtsc() - t0 < n)
		cpu_relax();
}

static int overlaps(uint64_t a, uint64_t b, uint64_t lo, uint64_t hi)
{
	return a < hi && b > lo;
}

/* A page below 1 MiB that the memory map calls available and nothing of ours uses. */
static uintptr_t start_page(void)
{
	for (uintptr_t p = LOW_START; p < LOW_END; p += PAGE_SIZE) {
		int ok = 0;

		for (int i = 0; i < boot_info.region_count; i++) {
			const struct mem_region *r = &boot_info.regions[i];

			if (r->type == MEM_AVAILABLE && r->base <= p && r->base + r->len >= p + PAGE_SIZE)
				ok = 1;
		}
		if (overlaps(p, p + PAGE_SIZE, boot_info.info_start, boot_info.info_end))
			ok = 0;
		for (int i = 0; i < boot_info.module_count; i++)
			if (overlaps(p, p + PAGE_SIZE, boot_info.modules[i].start, boot_info.modules[i].end))
				ok = 0;
		if (ok)
			return p;
	}
	return 0;
}

/* Copy the start page there and point its GDT pointer at its GDT. */
static void start_page_write(uintptr_t page)
{
	size_t len = smp_tramp_end - smp_tramp_start;
	uint32_t gdt = (uint32_t)page + (uint32_t)(smp_tramp_gdt_base - smp_tramp_start) - 3 * 8 - 2;

	memcpy((void *)page, smp_tramp_start, len);
	memcpy((void *)(page + (smp_tramp_gdt_base - smp_tramp_start)), &gdt, 4);
}

/* Everything CPU i needs before it runs: tables, per-CPU area, stack. */
static const char *prepare(int i)
{
	size_t pc_pages = (size_t)(__percpu_end - __percpu_start + PAGE_SIZE - 1) / PAGE_SIZE;
	char *area, *stack;
	unsigned long off;

	if (arch_cpu_prepare(i))
		return "out of memory for its descriptor tables";
	area = pmm_alloc_pages(pc_pages);
	stack = pmm_alloc_pages(1 + AP_STACK_SIZE / PAGE_SIZE);
	if (!area || !stack)
		return "out of memory for its stack and per-CPU area";
	off = (unsigned long)area - (unsigned long)__percpu_start;
	per_cpu_offset[i] = off;
	*per_cpu_ptr(&this_cpu_off, i) = off;
	*per_cpu_ptr(&cpu_number, i) = i;
	mm_guard_page(stack);
	cpus[i].stack_lo = (unsigned long)stack + PAGE_SIZE;
	cpus[i].stack_hi = cpus[i].stack_lo + AP_STACK_SIZE;
	unwind_register_stack(cpus[i].stack_lo, cpus[i].stack_hi);
	return NULL;
}

static int wait_alive(unsigned ms)
{
	uint64_t t0 = rdtsc(), n = ms_to_tsc(ms);

	while (!ap_alive) {
		if (rdtsc() - t0 > n)
			return 0;
		cpu_relax();
	}
	return 1;
}

/* INIT, SIPI, SIPI (the second only if the first did not take). */
static const char *start_ap(int i, uintptr_t page)
{
	uint32_t id = cpus[i].apic_id;
	const char *why;

	if (id > 0xfe && !apic_x2apic())
		return "its APIC id needs x2APIC mode";
	if ((why = prepare(i)))
		return why;
	ap_boot_stack = cpus[i].stack_hi;
	booting_cpu = i;
	ap_alive = 0;
	barrier();
	apic_send(id, APIC_DM_INIT | APIC_LEVEL_ASSERT | APIC_TRIGGER_LEVEL);
	delay_us(10000);
	for (int sipi = 0; sipi < 2 && !ap_alive; sipi++) {
		apic_send(id, APIC_DM_SIPI | (uint32_t)(page >> 12));
		if (wait_alive(sipi ? START_WAIT_MS : 1))
			break;
	}
	return ap_alive ? NULL : "no answer to INIT-SIPI-SIPI";
}

/*
 * TSC synchronisation, CPU 0 against the AP just started: CPU 0 reads its
 * TSC (t0), the AP reads its own (ta) as soon as it sees that, CPU 0 reads
 * again when it sees the answer (t1). Were the TSCs in step, ta would lie
 * in [t0, t1]; how far outside it is at least the skew. Best of 50 rounds.
 */
#define SKEW_ROUNDS	50
static volatile uint64_t skew_ta;
static volatile int skew_round;		/* CPU 0: round n asked; AP: -n answered */

static void tsc_skew_ap(void)
{
	for (int n = 1; n <= SKEW_ROUNDS; n++) {
		while (skew_round != n)
			cpu_relax();
		skew_ta = rdtsc();
		skew_round = -n;
	}
}

static uint64_t tsc_skew_boot(void)
{
	uint64_t best = ~0ull;

	for (int n = 1; n <= SKEW_ROUNDS; n++) {
		uint64_t t0 = rdtsc(), t1, ta, off;
		uint64_t limit = ms_to_tsc(1000);

		skew_round = n;
		while (skew_round != -n) {
			if (rdtsc() - t0 > limit)
				return ~0ull;
			cpu_relax();
		}
		t1 = rdtsc();
		ta = skew_ta;
		off = ta < t0 ? t0 - ta : ta > t1 ? ta - t1 : 0;
		if (off < best)
			best = off;
	}
	return best;
}

/* CPU 0 first, then the MADT's other CPUs in table order, at most NR_CPUS. */
static int list_cpus(const struct acpi_info *ai, uint32_t me)
{
	int usable = ai->nr_cpus + ai->cpus_ignored, seen_me = 0;

	cpus[0] = (struct cpu){ .apic_id = me, .state = CPU_ONLINE,
				.stack_lo = (unsigned long)boot_stack_top - BOOT_STACK_SIZE,
				.stack_hi = (unsigned long)boot_stack_top };
	for (int i = 0; i < ai->nr_cpus; i++) {
		if (ai->apic_ids[i] == me) {
			seen_me = 1;
			continue;
		}
		if (nr_cpus < NR_CPUS)
			cpus[nr_cpus++] = (struct cpu){ .apic_id = ai->apic_ids[i], .state = CPU_PARKED };
	}
	return seen_me ? usable : usable + 1;
}

void smp_init(void)
{
	const struct acpi_info *ai = acpi_get_info();
	int want = kopt.cpus ? kopt.cpus : NR_CPUS, usable;
	uintptr_t page = 0;
	const char *why = NULL;

	cpus[0] = (struct cpu){ .state = CPU_ONLINE };
	if (want == 1) {	/* as before SMP: the local APIC untouched */
		uint32_t r[4];

		cpuid(1, r);
		usable = list_cpus(ai, r[1] >> 24);
		printk("smp: 1 of %d CPUs online (cpus=1)\n", usable);
		return;
	}
	if (apic_init()) {
		printk("smp: 1 of 1 CPUs online (no local APIC)\n");
		return;
	}
	usable = list_cpus(ai, apic_id());
	if (!ai->madt)
		why = "no MADT";
	else if (nr_cpus > 1 && want > 1 && !(page = start_page()))
		why = "no free page below 1 MiB for the start page";
#if ARCH_BITS == 64
	else if (read_cr3() > 0xffffffffull)
		why = "page tables above 4 GiB";	/* ap_entry32 loads CR3 in 32-bit mode */
#endif
	if (page && !why) {
		ap_boot_cr0 = (uint32_t)read_cr0();
		ap_boot_cr3 = (uint32_t)read_cr3();
		ap_boot_cr4 = (uint32_t)read_cr4();
		ap_boot_efer = sizeof(long) == 8 ? (uint32_t)rdmsr(MSR_EFER) & (EFER_LME | EFER_NXE)
			       : arch_paging_has_nx() ? EFER_NXE : 0;
		start_page_write(page);
		for (int i = 1; i < nr_cpus && nr_cpus_online < want; i++) {
			const char *err = start_ap(i, page);

			if (err) {
				cpus[i].state = CPU_FAILED;
				printk("smp: CPU %d (APIC id %u) did not start: %s\n", i, cpus[i].apic_id, err);
			} else {
				uint64_t skew = tsc_skew_boot();

				if (skew == ~0ull)
					skew_unmeasured++;
				else if (skew > max_skew)
					max_skew = skew;
			}
		}
	}
	printk("smp: %d of %d CPUs online%s%s%s\n", nr_cpus_online, usable, why ? " (" : "",
	       why ? why : "", why ? ")" : "");
	if (nr_cpus_online > 1)
		printk("smp: TSC skew between CPU 0 and the others at most %llu cycles%s\n",
		       (unsigned long long)max_skew, skew_unmeasured ? " (some CPUs did not answer)" : "");
	if (ai->cpus_ignored || usable > NR_CPUS)
		printk("smp: only %d CPUs are supported\n", NR_CPUS);
}

void smp_print_cpus(void)
{
	static const char *const states[] = { [CPU_PARKED] = "parked", [CPU_FAILED] = "failed to start",
					       [CPU_ONLINE] = "online" };

	printk("%d of %d CPUs online (x%sAPIC)\n", nr_cpus_online, nr_cpus, apic_x2apic() ? "2" : "");
	printk("  cpu  apic id  state            hits served\n");
	for (int i = 0; i < nr_cpus; i++)
		printk("  %3d  %7u  %-15s  %11lu%s\n", i, cpus[i].apic_id, states[cpus[i].state],
		       *per_cpu_ptr(&cpu_hits, i), i == smp_processor_id() ? "  (this one)" : "");
}

/* An AP, from ap_entry32, on its own stack, interrupts off. */
void ap_main(void)
{
	int i = booting_cpu;

	arch_cpu_start(i, per_cpu_offset[i]);
	apic_init_ap();
	cpus[i].state = CPU_ONLINE;
	__atomic_add_fetch(&nr_cpus_online, 1, __ATOMIC_SEQ_CST);
	ap_alive = 1;
	tsc_skew_ap();
	smp_idle();
}
