/* A __noprobe function with an indirect call: a warning unless allowed. */
#define __noprobe __attribute__((section(".text.noprobe"), no_instrument_function))

int __noprobe machinery(int (*fn)(int), int x)
{
	return fn(x) + 1;
}
