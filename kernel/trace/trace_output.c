/*
 * The trace buffer as text, in the formats of Linux's tracefs `trace` file
 * for the function and function_graph tracers, so existing habits and
 * scripts apply. Printing consumes what it prints.
 */
#include <stdarg.h>
#include "kernel/compiler.h"
#include "kernel/dev/console.h"
#include "kernel/kallsyms.h"
#include "kernel/trace/probe_events.h"
#include "kernel/trace/trace.h"
#include "kernel/tsc.h"
#include "lib/format.h"
#include "lib/ringbuf.h"
#include "lib/string.h"

#define LINE_MAX	256	/* longer lines are cut */
#define GRAPH_DEPTH_MAX	64	/* deeper returns always name their function */
#define GRAPH_INDENT	2	/* spaces per call level */

static void line_spaces(struct strbuf *l, unsigned n)
{
	while (n-- && l->len + 1 < l->size)
		l->buf[l->len++] = ' ';
	l->buf[l->len] = 0;
}

/* A function's name as Linux's %ps prints it: no offset; hex if unknown. */
static void line_sym(struct strbuf *l, unsigned long addr)
{
	const char *name = addr ? sym_lookup(addr, NULL, NULL) : NULL;

	if (name)
		strbuf_addf(l, "%s", name);
	else if (!addr)
		strbuf_addf(l, "0");
	else
		strbuf_addf(l, "0x%lx", addr);
}

/* A probe event record at ring index i: its text, from its definition. */
void trace_format_event(struct strbuf *l, const struct trace_record *r, unsigned long i)
{
	unsigned char data[TRACE_EVENT_MAX_DATA];
	unsigned len = trace_event_data(i, data, sizeof(data));

	probe_event_record_text(l, r, data, len);
}

/* Records a record takes in the ring: an event's values follow it. */
static unsigned long record_span(const struct trace_record *r)
{
	return r->type == TRACE_EVENT ? 1 + trace_event_data_records(r->event.len) : 1;
}

/*
 * Linux's line for records lost since the last report: the buffer keeps
 * the oldest records, so what was lost came after the ones printed.
 */
static void report_lost(struct strbuf *l, trace_out_fn out, void *ctx)
{
	unsigned long lost = trace_take_lost();

	if (!lost)
		return;
	strbuf_addf(l, "CPU:0 [LOST %lu EVENTS]", lost);
	out(l->buf, ctx);
	l->len = 0;
	l->buf[0] = 0;
}

static void emit(struct strbuf *l, trace_out_fn out, void *ctx)
{
	out(l->buf, ctx);
	l->len = 0;
	l->buf[0] = 0;
}

static void header_common(trace_out_fn out, void *ctx, const char *tracer)
{
	char text[LINE_MAX] = "";
	struct strbuf l = { text, sizeof(text), 0 };

	strbuf_addf(&l, "# tracer: %s", tracer);
	emit(&l, out, ctx);
	out("#", ctx);
}

/* ---- function ---------------------------------------------------------- */

static const char *const function_header[] = {
	"#                                _-----=> irqs-off/BH-disabled",
	"#                               / _----=> need-resched",
	"#                              | / _---=> hardirq/softirq",
	"#                              || / _--=> preempt-depth",
	"#                              ||| / _-=> migrate-disable",
	"#                              |||| /     delay",
	"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION",
	"#              | |         |   |||||     |         |",
};

/* "          <idle>-0       [000] d....   123.456789: " */
static void line_context(struct strbuf *l, const struct trace_record *r)
{
	uint64_t start = trace_start_tsc();
	uint64_t us = r->ts > start ? tsc_cycles_to_ns(r->ts - start) / 1000 : 0;

	/* preempt-depth: probe handlers run with preemption off, as Linux shows them */
	strbuf_addf(l, "%16s-%-7d [%03u] %c.%c%c. %5llu.%06llu: ", "<idle>", 0, r->cpu,
		 r->flags & TRACE_FLAG_IRQS_OFF ? 'd' : '.', r->flags & TRACE_FLAG_HARDIRQ ? 'h' : '.',
		 r->type == TRACE_EVENT ? '1' : '.',
		 (unsigned long long)(us / 1000000), (unsigned long long)(us % 1000000));
}

/* "callee <-caller", also the body of a function record in graph output. */
static void line_function(struct strbuf *l, const struct trace_record *r)
{
	line_sym(l, r->ip);
	if (r->parent_ip) {
		strbuf_addf(l, " <-");
		line_sym(l, r->parent_ip);
	}
}

void trace_print_function(trace_out_fn out, void *ctx)
{
	trace_print_lines(out, ctx, "function");
}

void trace_print_lines(trace_out_fn out, void *ctx, const char *tracer)
{
	struct ringbuf *rb = trace_buffer();
	unsigned long n = ringbuf_count(rb);
	char text[LINE_MAX] = "";
	struct strbuf l = { text, sizeof(text), 0 };

	if (tracer) {
		header_common(out, ctx, tracer);
		strbuf_addf(&l, "# entries-in-buffer/entries-written: %lu/%lu   #P:1", n,
			    n + trace_dropped());
		emit(&l, out, ctx);
		out("#", ctx);
		for (size_t i = 0; i < ARRAY_SIZE(function_header); i++)
			out(function_header[i], ctx);
	}

	/* Only what was there at the start: printing may itself be traced. */
	while (n) {
		const struct trace_record *r = ringbuf_peek(rb, 0);
		unsigned long used = record_span(r);

		if (r->type == TRACE_EVENT_DATA) {	/* never first: skip it */
			ringbuf_consume(rb, 1);
			n--;
			continue;
		}
		line_context(&l, r);
		switch (r->type) {
		case TRACE_FUNCTION:
			line_function(&l, r);
			break;
		case TRACE_GRAPH_ENTRY:
			line_sym(&l, r->ip);
			strbuf_addf(&l, "() {");
			break;
		case TRACE_GRAPH_RETURN:
			strbuf_addf(&l, "} /* ");
			line_sym(&l, r->ip);
			strbuf_addf(&l, " */ %llu ns", (unsigned long long)r->duration_ns);
			break;
		case TRACE_EVENT:
			trace_format_event(&l, r, 0);
			break;
		default:
			strbuf_addf(&l, "unknown record type %u", r->type);
		}
		emit(&l, out, ctx);
		if (used > n)
			used = n;
		ringbuf_consume(rb, used);
		n -= used;
	}
	report_lost(&l, out, ctx);
}

/* ---- function_graph ---------------------------------------------------- */

/* Linux's marks for long durations: '+' over 10 us, '!' over 100 us, ... */
static char duration_mark(uint64_t ns)
{
	static const struct { uint64_t ns; char mark; } marks[] = {
		{ 1000000000ULL, '$' }, { 100000000ULL, '@' }, { 10000000ULL, '*' },
		{ 1000000ULL, '#' }, { 100000ULL, '!' }, { 10000ULL, '+' },
	};

	for (size_t i = 0; i < ARRAY_SIZE(marks); i++)
		if (ns > marks[i].ns)
			return marks[i].mark;
	return ' ';
}

/*
 * "+ 12.345 us   |  ": microseconds with at most 7 digits in all (the
 * fraction is cut to fit), padded so the '|' column stays put.
 */
static void line_duration(struct strbuf *l, uint64_t ns)
{
	char usecs[24], nsecs[5];
	int len = snprintf(usecs, sizeof(usecs), "%llu", (unsigned long long)(ns / 1000));

	strbuf_addf(l, "%c %s", duration_mark(ns), usecs);
	if (len < 7) {
		size_t room = (size_t)(8 - len) < sizeof(nsecs) ? (size_t)(8 - len) : sizeof(nsecs);

		snprintf(nsecs, room, "%03u", (unsigned)(ns % 1000));
		strbuf_addf(l, ".%s", nsecs);
		len += (int)strlen(nsecs) + 1;
	}
	strbuf_addf(l, " us ");
	line_spaces(l, len < 8 ? 8 - len : 0);
	strbuf_addf(l, "|  ");
}

/* " 0) " and either a duration or the blank duration column. */
static void graph_prefix(struct strbuf *l, const struct trace_record *r, const uint64_t *duration)
{
	strbuf_addf(l, " %u) ", r->cpu);
	if (duration)
		line_duration(l, *duration);
	else
		strbuf_addf(l, "              |  ");
}

void trace_print_graph(trace_out_fn out, void *ctx)
{
	struct ringbuf *rb = trace_buffer();
	unsigned long n = ringbuf_count(rb);
	/* Entries printed with an open brace, by depth, to match returns with. */
	unsigned long open[GRAPH_DEPTH_MAX] = { 0 };
	int depth = -1;		/* of the innermost open call: where comments go */
	char text[LINE_MAX] = "";
	struct strbuf l = { text, sizeof(text), 0 };

	header_common(out, ctx, "function_graph");
	out("# CPU  DURATION                  FUNCTION CALLS", ctx);
	out("# |     |   |                     |   |   |   |", ctx);

	while (n) {
		const struct trace_record *r = ringbuf_peek(rb, 0);
		const struct trace_record *next = n > 1 ? ringbuf_peek(rb, 1) : NULL;
		unsigned long used = record_span(r);

		if (r->type == TRACE_EVENT_DATA) {	/* never first: skip it */
			ringbuf_consume(rb, 1);
			n--;
			continue;
		}

		switch (r->type) {
		case TRACE_GRAPH_ENTRY:
			if (next && next->type == TRACE_GRAPH_RETURN && next->ip == r->ip &&
			    next->cpu == r->cpu && next->depth == r->depth) {
				/* A leaf: entry and return on one line. */
				graph_prefix(&l, r, &next->duration_ns);
				line_spaces(&l, r->depth * GRAPH_INDENT);
				line_sym(&l, r->ip);
				strbuf_addf(&l, "();");
				used = 2;
				if (r->depth < GRAPH_DEPTH_MAX)
					open[r->depth] = 0;
				depth = r->depth - 1;
			} else {
				graph_prefix(&l, r, NULL);
				line_spaces(&l, r->depth * GRAPH_INDENT);
				line_sym(&l, r->ip);
				strbuf_addf(&l, "() {");
				if (r->depth < GRAPH_DEPTH_MAX)
					open[r->depth] = r->ip;
				depth = r->depth;
			}
			break;
		case TRACE_GRAPH_RETURN:
			graph_prefix(&l, r, &r->duration_ns);
			line_spaces(&l, r->depth * GRAPH_INDENT);
			/* Entry not printed (dropped, or before this print): name it. */
			if (r->depth < GRAPH_DEPTH_MAX && open[r->depth] == r->ip) {
				strbuf_addf(&l, "}");
			} else {
				strbuf_addf(&l, "} /* ");
				line_sym(&l, r->ip);
				strbuf_addf(&l, " */");
			}
			if (r->depth < GRAPH_DEPTH_MAX)
				open[r->depth] = 0;
			depth = r->depth - 1;
			break;
		default:
			/* Other records are comments inside the innermost open call. */
			graph_prefix(&l, r, NULL);
			line_spaces(&l, (depth + 1) * GRAPH_INDENT);
			strbuf_addf(&l, "/* ");
			if (r->type == TRACE_FUNCTION)
				line_function(&l, r);
			else if (r->type == TRACE_EVENT)
				trace_format_event(&l, r, 0);
			else
				strbuf_addf(&l, "unknown record type %u", r->type);
			strbuf_addf(&l, " */");
		}
		emit(&l, out, ctx);
		if (used > n)
			used = n;
		ringbuf_consume(rb, used);
		n -= used;
	}
	report_lost(&l, out, ctx);
}

void trace_out_printk(const char *line, void *ctx)
{
	(void)ctx;
	printk("%s\n", line);
}
