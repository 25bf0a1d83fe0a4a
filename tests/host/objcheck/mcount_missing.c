/* Broken: built with -pg -mfentry but no -mrecord-mcount: fentry calls without __mcount_loc entries. */
__attribute__((noinline)) int traced(int x)
{
	return x * 3;
}

int caller(int x)
{
	return traced(x) + 1;
}
