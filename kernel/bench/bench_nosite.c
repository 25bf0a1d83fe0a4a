/*
 * bench_target's twin without an fentry site (this file is in
 * kernel/notrace.list): the baseline of the fentry_nop scenario, which
 * measures what a disabled site costs - one 5-byte nop.
 */
#include "kernel/arch.h"
#include "kernel/bench/bench.h"

#if ARCH_BITS == 64
/*
 * gcc gives the -pg bench_target a frame (its `call __fentry__` makes it no
 * leaf) and drops it from a site-less leaf whatever the flags: the twin
 * gets bench_target's body, frame included, by hand, so the scenario
 * measures the site alone (compare objdump of the two).
 */
__asm__(".text\n"
	".globl bench_target_nosite\n"
	".type bench_target_nosite, @function\n"
	"bench_target_nosite:\n"
	"	push %rbp\n"
	"	lea 1(%rdi,%rdi,2), %eax\n"
	"	mov %rsp, %rbp\n"
	"	pop %rbp\n"
	"	ret\n"
	".size bench_target_nosite, . - bench_target_nosite\n");
int bench_target_nosite(int x);
#else
__noinline int bench_target_nosite(int x)
{
	return x * 3 + 1;
}
#endif

static void run_nosite(void)
{
	bench_sink = bench_target_nosite(bench_sink);
}

static const struct bench_scenario fentry_nop = {
	.id = "fentry_nop", .what = "disabled fentry site (a 5-byte nop) vs no site",
	.run = bench_run_target, .own_baseline = 1, .baseline = run_nosite,
};
BENCH_SCENARIO(fentry_nop);
