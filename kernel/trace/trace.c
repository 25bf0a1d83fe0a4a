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
static unsigned long lost_reported;	/* drops a reader has reported */
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

int trace_event_add(const struct trace_record *rec, const void *data, unsigned len)
{
	unsigned long flags = irq_save();
	unsigned n = trace_event_data_records(len);
	int ret = -1;

	if (adding || len > TRACE_EVENT_MAX_DATA ||
	    trace_rb.mask + 1 - (trace_rb.head - trace_rb.tail) < 1 + n) {	/* room for all */
		trace_rb.dropped++;
	} else {
		const unsigned char *src = data;
		struct trace_record *slot;

		adding = 1;
		slot = ringbuf_reserve(&trace_rb);
		*slot = *rec;
		slot->type = TRACE_EVENT;
		slot->event.len = (uint16_t)len;
		ringbuf_commit(&trace_rb);
		for (unsigned i = 0; i < n; i++) {
			unsigned char *dst;
			unsigned chunk = len < TRACE_DATA_PER_RECORD ? len : TRACE_DATA_PER_RECORD;

			slot = ringbuf_reserve(&trace_rb);
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
			ringbuf_commit(&trace_rb);
		}
		adding = 0;
		ret = 0;
	}
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

	ringbuf_reset(&trace_rb);
	lost_reported = 0;
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
