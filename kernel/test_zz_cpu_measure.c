/* TEMPORARY (cpu engineer): int3 round-trip cost. Deleted after measuring. */
#include "kernel/traps.h"
#include "kernel/ktest.h"
#include "kernel/cpu.h"
#include "kernel/console.h"
static int claim(struct pt_regs *regs) { (void)regs; return 1; }
static struct trap_hook hook = { claim, NULL };
static void nop_fn(void *a) { (void)a; }
static void measure(struct ktest *t)
{
	uint64_t t0, t1, t2, t3;
	struct fault_record rec;
	trap_hook_register(VEC_BP, &hook);
	for (int i = 0; i < 100; i++) asm volatile("int3");
	t0 = rdtsc();
	for (int i = 0; i < 10000; i++) asm volatile("int3");
	t1 = rdtsc();
	trap_hook_unregister(VEC_BP, &hook);
	t2 = rdtsc();
	for (int i = 0; i < 10000; i++) fault_catch(nop_fn, 0, &rec);
	t3 = rdtsc();
	printk_on(CON_SERIAL, "MEASURE int3+hook round trip: %llu cycles; fault_catch no-fault: %llu cycles\n",
	       (unsigned long long)(t1 - t0) / 10000, (unsigned long long)(t3 - t2) / 10000);
	KEXPECT(t, 1);
}
static const struct ktest_case cases[] = { { "m", measure }, { 0 } };
static const struct ktest_suite s = { "zzmeasure", cases };
KTEST_SUITE(s);
