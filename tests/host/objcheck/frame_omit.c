/* Broken when built with -fomit-frame-pointer: caller calls without a frame. */
__attribute__((noinline)) int callee(int x)
{
	asm volatile("" : "+r"(x));
	return x * 3;
}

int caller(int x)
{
	return callee(x) + 1;
}
