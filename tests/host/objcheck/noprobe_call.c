/* Broken: a __noprobe function calls a traced (and probe-able) function. */
#define __noprobe __attribute__((section(".text.noprobe"), no_instrument_function))

__attribute__((noinline)) int traced(int x)
{
	return x * 3;
}

int __noprobe machinery(int x)
{
	return traced(x) + 1;
}
