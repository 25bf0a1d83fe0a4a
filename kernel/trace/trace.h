/*
 * Trace records shared by the function tracer and the function-graph tracer,
 * kept in one ring buffer (lib/ringbuf.h) and printed in Linux's formats.
 */
#ifndef KERNEL_TRACE_H
#define KERNEL_TRACE_H
#include <stdint.h>

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

/* The text of a TRACE_EVENT record (what follows the context columns). */
struct strbuf;
void trace_format_event(struct strbuf *l, const struct trace_record *r);

/*
 * Every record in the buffer as one `TRACE {json}` line on serial only,
 * without consuming them (kernel/trace/trace_json.c): timestamps in ns since
 * the last trace_reset, exact enough for tests/trace.py to nest the calls.
 */
void trace_dump_json(void);

#endif
