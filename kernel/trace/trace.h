/*
 * Trace records shared by the function tracer, the function-graph tracer and
 * probe events, kept in one ring buffer (lib/ringbuf.h) and printed in
 * Linux's formats by readers. Hit paths only add records; nothing on a hit
 * path prints.
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H
#include <stdint.h>
#include "kernel/compiler.h"
#include "kernel/cpu.h"
#include "kernel/smp/smp.h"
#include "lib/ringbuf.h"

enum trace_type {
	TRACE_FUNCTION = 1,	/* function tracer: ip called from parent_ip */
	TRACE_GRAPH_ENTRY = 2,	/* function graph: entry of ip at depth */
	TRACE_GRAPH_RETURN = 3,	/* function graph: return of ip; duration in ns */
	TRACE_EVENT = 4,	/* a probe event: which one, where; its values follow */
	TRACE_EVENT_DATA = 5,	/* the bytes of the event record before it */
};

/* trace_record.flags: the context of the event (Linux's d/h columns). */
enum trace_flag {
	TRACE_FLAG_IRQS_OFF = 1 << 0,	/* interrupts were disabled */
	TRACE_FLAG_HARDIRQ = 1 << 1,	/* inside an interrupt handler */
};

struct trace_record {
	uint16_t type;
	uint16_t depth;		/* graph: call depth (0 = outermost traced) */
	uint16_t cpu;
	uint16_t flags;		/* enum trace_flag */
	uint64_t ts;		/* TSC at the event */
	unsigned long ip;
	unsigned long parent_ip; /* function: caller; graph return: 0 */
	union {
		uint64_t duration_ns;	/* graph return */
		struct {
			uint32_t id;	/* probe event: its slot ... */
			uint16_t gen;	/* ... and that slot's generation */
			uint16_t len;	/* bytes of values in the records after it */
		} event;
	};
};

/*
 * A probe event is one TRACE_EVENT record followed by enough TRACE_EVENT_DATA
 * records to hold its values (raw bytes; the event's definition says how to
 * read them). They go in together or not at all.
 */
#define TRACE_EVENT_MAX_DATA	1024
/* A data record keeps its type; the bytes fill the rest. */
#define TRACE_DATA_OFFSET	sizeof(uint16_t)
#define TRACE_DATA_PER_RECORD	(sizeof(struct trace_record) - TRACE_DATA_OFFSET)
static inline unsigned trace_event_data_records(unsigned len)
{
	return (len + TRACE_DATA_PER_RECORD - 1) / TRACE_DATA_PER_RECORD;
}

/*
 * The one trace buffer (kernel/trace/trace.c), TRACE_RECORDS records. When it is
 * full the oldest records are kept and new ones dropped and counted.
 * trace_record_add never blocks; safe with interrupts on or off. Returns 0,
 * or -1 if dropped.
 */
#define TRACE_RECORDS 65536
int trace_record_add(const struct trace_record *rec);
/* An event record and its len bytes of values (at most TRACE_EVENT_MAX_DATA). 0 or -1. */
int trace_event_add(const struct trace_record *rec, const void *data, unsigned len);
/* Copy the values of the event record at ring index i (ringbuf_peek's i) to buf. */
unsigned trace_event_data(unsigned long i, void *buf, unsigned size);
unsigned long trace_dropped(void);	/* records refused since the last reset (an event: one) */
/* For readers: drops not reported yet (Linux's "LOST N EVENTS"), now counted as reported. */
unsigned long trace_take_lost(void);

/* trace.c's, for the inlines below only. */
extern struct ringbuf trace_rb;
DECLARE_PER_CPU(int, trace_adding);	/* this CPU is adding a record: a probe inside must not nest */
extern volatile int trace_writer_lock;	/* between CPUs */

/*
 * Writers on several CPUs take the lock for the few instructions a record
 * takes to go in (interrupts off meanwhile); with one CPU online they pay a
 * compare, not a locked xchg (CPUs come online at boot, before any tracer).
 * A nested record on one CPU (an NMI, a probe in the ring code) is dropped
 * and counted, never waited for.
 */
static inline __attribute__((always_inline)) int trace_writer_enter(void)
{
	if (unlikely(this_cpu_read(trace_adding)))
		return -1;
	if (nr_cpus_online > 1)
		while (__atomic_exchange_n(&trace_writer_lock, 1, __ATOMIC_ACQUIRE))
			cpu_relax();
	this_cpu_write(trace_adding, 1);
	return 0;
}

static inline __attribute__((always_inline)) void trace_writer_leave(void)
{
	this_cpu_write(trace_adding, 0);
	if (nr_cpus_online > 1)
		__atomic_store_n(&trace_writer_lock, 0, __ATOMIC_RELEASE);
}

/*
 * A record written in place (the tracers' hot paths: no copy): begin
 * reserves the next slot with interrupts off, or returns NULL (full, or a
 * record already going in on this CPU: dropped and counted); the caller
 * sets EVERY field, then end stamps the CPU, publishes the record and
 * restores interrupts.
 */
static inline __attribute__((always_inline)) struct trace_record *trace_record_begin(unsigned long *flags)
{
	struct trace_record *slot;

	*flags = irq_save();
	if (unlikely(trace_writer_enter())) {
		__atomic_fetch_add(&trace_rb.dropped, 1, __ATOMIC_RELAXED);
		irq_restore(*flags);
		return NULL;
	}
	slot = ringbuf_reserve(&trace_rb);
	if (unlikely(!slot)) {
		trace_writer_leave();
		irq_restore(*flags);
	}
	return slot;
}

static inline __attribute__((always_inline)) void trace_record_end(struct trace_record *slot,
								   unsigned long flags)
{
	slot->cpu = (uint16_t)smp_processor_id();
	ringbuf_commit(&trace_rb);
	trace_writer_leave();
	irq_restore(flags);
}
/* Empty the buffer, clear the drop count; timestamps count from now. */
void trace_reset(void);

/* For the printers: the buffer itself and the TSC at the last reset. */
struct ringbuf *trace_buffer(void);
uint64_t trace_start_tsc(void);

/*
 * Print and consume the records in the buffer (those there when the call
 * starts) in Linux's text formats, one line per call of out(), without the
 * newline. trace_out_printk is an out() that prints to all consoles.
 */
typedef void (*trace_out_fn)(const char *line, void *ctx);
void trace_print_function(trace_out_fn out, void *ctx);
/* The same lines under another tracer's name ("nop": probe events only; NULL: no header). */
void trace_print_lines(trace_out_fn out, void *ctx, const char *tracer);
void trace_print_graph(trace_out_fn out, void *ctx);
void trace_out_printk(const char *line, void *ctx);

/* The text of the TRACE_EVENT record r at ring index i (what follows the context columns). */
struct strbuf;
void trace_format_event(struct strbuf *l, const struct trace_record *r, unsigned long i);

/*
 * Every record in the buffer as one `TRACE {json}` line on serial only,
 * without consuming them (kernel/trace/trace_json.c): timestamps in ns since
 * the last trace_reset, exact enough for tests/trace.py to nest the calls.
 */
void trace_dump_json(void);

#endif
