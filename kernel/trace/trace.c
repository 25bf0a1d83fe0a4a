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
static struct ringbuf trace_rb = {
	.mem = (unsigned char *)trace_mem,
	.item_size = sizeof(struct trace_record),
	.mask = TRACE_RECORDS - 1,
};

static uint64_t start_tsc;
/* Set while a record goes in: a probe inside the ring code must not nest. */
static int adding;

int trace_record_add(const struct trace_record *rec)
{
	unsigned long flags = irq_save();
	int ret;

	if (adding) {
		trace_rb.dropped++;
		ret = -1;
	} else {
		struct trace_record *slot;

		adding = 1;
		slot = ringbuf_reserve(&trace_rb);
		if (slot) {
			*slot = *rec;	/* inline moves: no call to (traced) memcpy */
			ringbuf_commit(&trace_rb);
		}
		ret = slot ? 0 : -1;
		adding = 0;
	}
	irq_restore(flags);
	return ret;
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
