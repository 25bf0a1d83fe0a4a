/*
 * Trace records shared by the function tracer and the function-graph tracer,
 * kept in one ring buffer (lib/ringbuf.h) and printed in Linux's formats.
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H
#include <stdint.h>
#include "kernel/compiler.h"
#include "kernel/cpu.h"
#include "lib/ringbuf.h"

enum trace_type {
	TRACE_FUNCTION = 1,	/* function tracer: ip called from parent_ip */
	TRACE_GRAPH_ENTRY = 2,	/* function graph: entry of ip at depth */
	TRACE_GRAPH_RETURN = 3,	/* function graph: return of ip; duration in ns */
	TRACE_EVENT = 4,	/* a probe event: name + formatted values (text) */
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
	uint64_t duration_ns;	/* graph return */
};

/*
 * The one trace buffer (kernel/trace/trace.c), TRACE_RECORDS records. When it is
 * full the oldest records are kept and new ones dropped and counted.
 * trace_record_add never blocks; safe with interrupts on or off. Returns 0,
 * or -1 if dropped.
 */
#define TRACE_RECORDS 65536
int trace_record_add(const struct trace_record *rec);

/* trace.c's, for the inlines below only. */
extern struct ringbuf trace_rb;
extern int trace_adding;	/* a record is going in: a probe inside must not nest */

/*
 * A record written in place (the tracers' hot paths: no copy): begin
 * reserves the next slot with interrupts off, or returns NULL (full, or a
 * record already going in: dropped and counted); the caller sets EVERY
 * field, then end publishes it and restores interrupts.
 */
static inline __attribute__((always_inline)) struct trace_record *trace_record_begin(unsigned long *flags)
{
	struct trace_record *slot;

	*flags = irq_save();
	if (unlikely(trace_adding)) {
		trace_rb.dropped++;
		slot = NULL;
	} else {
		slot = ringbuf_reserve(&trace_rb);
	}
	if (unlikely(!slot)) {
		irq_restore(*flags);
		return NULL;
	}
	trace_adding = 1;
	return slot;
}

static inline __attribute__((always_inline)) void trace_record_end(unsigned long flags)
{
	ringbuf_commit(&trace_rb);
	trace_adding = 0;
	irq_restore(flags);
}
unsigned long trace_dropped(void);	/* since the last reset */
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
void trace_print_graph(trace_out_fn out, void *ctx);
void trace_out_printk(const char *line, void *ctx);

#endif
