/*
 * The functions the benchmark probes. This file is compiled with -pg, so
 * each starts with an fentry site the fentry and ftrace scenarios can hook;
 * keep them tiny, noinline and free of anything a probe might trip over.
 */
#include "kernel/bench/bench.h"

volatile int bench_sink = 1;

__noinline int bench_target(int x)
{
	return x * 3 + 1;
}

/*
 * depth + 1 nested calls, each a real frame: the barrier after the call
 * stops gcc from turning the recursion into a loop. About 16 bytes of
 * stack per level on x86_64 (return address + saved frame pointer).
 */
__noinline unsigned long bench_recurse(unsigned long depth)
{
	unsigned long r;

	if (!depth)
		return 0;
	r = bench_recurse(depth - 1);
	barrier();
	return r + 1;
}
