/*
 * The one trace buffer. Tracers call trace_record_add from their hooks, with
 * interrupts on or off, on any CPU. Not compiled with -pg (notrace.list):
 * a traced trace_record_add would trace itself.
 *
 * Several CPUs: writers take a spin lock for the few instructions a record
 * takes to go in (interrupts off meanwhile, so the holder is never held up
 * by its own CPU's interrupts); a nested record on one CPU (an NMI, a probe
 * in the ring code) is dropped, never waited for. One shared buffer and one
 * lock is correct but writes a shared cache line per record: per-CPU
 * buffers merged by timestamp are the next step for many-core tracing.
 */
#include "kernel/cpu.h"
#include "kernel/smp/smp.h"
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
/* Set while this CPU adds a record: a probe inside the ring code must not nest. */
static DEFINE_PER_CPU(int, adding);
static volatile int writer_lock;	/* between CPUs */

/*
 * The lock only while other CPUs run: one CPU pays a compare, not a locked
 * xchg. (CPUs come online at boot, in smp_init, before any tracer runs.)
 */
static inline __attribute__((always_inline)) int writer_enter(void)
{
	int shared = nr_cpus_online > 1;

	while (shared && __atomic_exchange_n(&writer_lock, 1, __ATOMIC_ACQUIRE))
		cpu_relax();
	this_cpu_write(adding, 1);
	return shared;
}

static inline __attribute__((always_inline)) void writer_leave(int shared)
{
	this_cpu_write(adding, 0);
	if (shared)
		__atomic_store_n(&writer_lock, 0, __ATOMIC_RELEASE);
}

int trace_record_add(const struct trace_record *rec)
{
	unsigned long flags = irq_save();
	int ret;

	if (this_cpu_read(adding)) {
		__atomic_fetch_add(&trace_rb.dropped, 1, __ATOMIC_RELAXED);
		ret = -1;
	} else {
		struct trace_record *slot;
		int shared = writer_enter();

		slot = ringbuf_reserve(&trace_rb);
		if (slot) {
			*slot = *rec;	/* inline moves: no call to (traced) memcpy */
			slot->cpu = (uint16_t)smp_processor_id();
			ringbuf_commit(&trace_rb);
		}
		ret = slot ? 0 : -1;
		writer_leave(shared);
	}
	irq_restore(flags);
	return ret;
}

int trace_event_add(const struct trace_record *rec, const void *data, unsigned len)
{
	unsigned long flags = irq_save();
	unsigned n = trace_event_data_records(len);
	int ret = -1, shared;

	if (this_cpu_read(adding) || len > TRACE_EVENT_MAX_DATA) {
		__atomic_fetch_add(&trace_rb.dropped, 1, __ATOMIC_RELAXED);
		irq_restore(flags);
		return -1;
	}
	shared = writer_enter();
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
	writer_leave(shared);
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
	int shared = writer_enter();

	ringbuf_reset(&trace_rb);
	lost_reported = 0;
	start_tsc = rdtsc();
	writer_leave(shared);
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
