/* A traced function for notrace_traced.c to call. */
__attribute__((noinline)) int traced(int x)
{
	return x * 3;
}
