/* Broken unless allowed: a function of a traced object without its fentry site. */
__attribute__((noinline, no_instrument_function)) int quiet(int x)
{
	return x * 3;
}

int caller(int x)
{
	return quiet(x) + 1;
}
