/*
 * The one trace buffer. Tracers call trace_record_add from their hooks, with
 * interrupts on or off; it never waits. Not compiled with -pg (notrace.list):
 * a traced trace_record_add would trace itself.
 */
#include "kernel/cpu.h"
#include "kernel/trace/trace.h"
#include "lib/ringbuf.h"

_Static_assert((TRACE_RECORDS & (TRACE_RECORDS - 1)) == 0, "TRACE_RECORDS must be a power of two");

static struct trace_record trace_mem[TRACE_RECORDS];

/* Ready before anything runs: hooks may record before any init call. */
struct ringbuf trace_rb = {
	.mem = (unsigned char *)trace_mem,
	.item_size = sizeof(struct trace_record),
	.mask = TRACE_RECORDS - 1,
};

static uint64_t start_tsc;
int trace_adding;

int trace_record_add(const struct trace_record *rec)
{
	unsigned long flags;
	struct trace_record *slot = trace_record_begin(&flags);

	if (!slot)
		return -1;
	*slot = *rec;	/* inline moves: no call to (traced) memcpy */
	trace_record_end(flags);
	return 0;
}

unsigned long trace_dropped(void)
{
	return trace_rb.dropped;
}

void trace_reset(void)
{
	unsigned long flags = irq_save();

	ringbuf_reset(&trace_rb);
	start_tsc = rdtsc();
	irq_restore(flags);
}

struct ringbuf *trace_buffer(void)
{
	return &trace_rb;
}

uint64_t trace_start_tsc(void)
{
	return start_tsc;
}
