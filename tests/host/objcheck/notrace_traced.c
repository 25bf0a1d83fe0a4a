/* Broken when listed as a notrace file: calls a traced function (in traced.c). */
int traced(int x);

int tracer_helper(int x)
{
	return traced(x) + 1;
}
