/*
 * The one trace buffer. Tracers call trace_record_add from their hooks, with
 * interrupts on or off, on any CPU. Not compiled with -pg (notrace.list):
 * a traced trace_record_add would trace itself.
 *
 * Several CPUs share it under one writer lock (trace.h: trace_writer_enter):
 * correct, but a shared cache line per record; per-CPU buffers merged by
 * timestamp are the next step for many-core tracing.
 */
#include "kernel/cpu.h"
#include "kernel/smp/smp.h"
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
static unsigned long lost_reported;	/* drops a reader has reported */
DEFINE_PER_CPU(int, trace_adding);
volatile int trace_writer_lock;

int trace_record_add(const struct trace_record *rec)
{
	unsigned long flags;
	struct trace_record *slot = trace_record_begin(&flags);

	if (!slot)
		return -1;
	*slot = *rec;	/* inline moves: no call to (traced) memcpy */
	trace_record_end(slot, flags);
	return 0;
}

int trace_event_add(const struct trace_record *rec, const void *data, unsigned len)
{
	unsigned long flags = irq_save();
	unsigned n = trace_event_data_records(len);
	int ret = -1;

	if (len > TRACE_EVENT_MAX_DATA || trace_writer_enter()) {
		__atomic_fetch_add(&trace_rb.dropped, 1, __ATOMIC_RELAXED);
		irq_restore(flags);
		return -1;
	}
	if (ringbuf_room(&trace_rb, 1 + n)) {
		trace_rb.dropped++;
	} else {
		const unsigned char *src = data;
		struct trace_record *slot = ringbuf_slot(&trace_rb, 0);

		*slot = *rec;
		slot->cpu = (uint16_t)smp_processor_id();
		slot->type = TRACE_EVENT;
		slot->event.len = (uint16_t)len;
		for (unsigned i = 1; i <= n; i++) {
			unsigned chunk = len < TRACE_DATA_PER_RECORD ? len : TRACE_DATA_PER_RECORD;
			unsigned char *dst;

			slot = ringbuf_slot(&trace_rb, i);
			slot->type = TRACE_EVENT_DATA;
			dst = (unsigned char *)slot + TRACE_DATA_OFFSET;
			if (chunk == TRACE_DATA_PER_RECORD) {	/* inline moves: no call to (traced) memcpy */
				__builtin_memcpy(dst, src, TRACE_DATA_PER_RECORD);
			} else {
				for (unsigned b = 0; b < chunk; b++)
					dst[b] = src[b];
			}
			src += chunk;
			len -= chunk;
		}
		ringbuf_commit_n(&trace_rb, 1 + n);	/* the event and its values at once */
		ret = 0;
	}
	trace_writer_leave();
	irq_restore(flags);
	return ret;
}

unsigned trace_event_data(unsigned long i, void *buf, unsigned size)
{
	const struct trace_record *r = ringbuf_peek(&trace_rb, i);
	unsigned len, done = 0;
	unsigned char *dst = buf;

	if (!r || r->type != TRACE_EVENT)
		return 0;
	len = r->event.len < size ? r->event.len : size;
	for (unsigned k = 1; done < len; k++) {
		const unsigned char *src = ringbuf_peek(&trace_rb, i + k);

		if (!src || ((const struct trace_record *)src)->type != TRACE_EVENT_DATA)
			break;
		for (unsigned b = TRACE_DATA_OFFSET; b < sizeof(*r) && done < len; b++)
			dst[done++] = src[b];
	}
	return done;
}

unsigned long trace_dropped(void)
{
	return trace_rb.dropped;
}

unsigned long trace_take_lost(void)
{
	unsigned long lost = trace_rb.dropped - lost_reported;

	lost_reported = trace_rb.dropped;
	return lost;
}

void trace_reset(void)
{
	unsigned long flags = irq_save();
	int nested = trace_writer_enter();	/* never nested here: trace_reset is not on a hit path */

	ringbuf_reset(&trace_rb);
	lost_reported = 0;
	start_tsc = rdtsc();
	if (!nested)
		trace_writer_leave();
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
