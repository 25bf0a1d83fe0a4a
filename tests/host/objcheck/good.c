/* Keeps every rule: the control case, objcheck must accept it. */
#define __noprobe __attribute__((section(".text.noprobe"), no_instrument_function))

int traced(int x);
int __noprobe machinery(int x);

__attribute__((noinline)) int traced(int x)
{
	return x * 3;
}

__attribute__((noinline)) int __noprobe helper(int x)
{
	return x + 1;
}

int __noprobe machinery(int x)
{
	return helper(x) + helper(x + 2);
}

int caller(int x)
{
	return traced(x) + machinery(x) + 1;
}
