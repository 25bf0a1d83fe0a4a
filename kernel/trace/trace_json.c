/*
 * The trace buffer for programs: one `TRACE {json}` line per record on
 * serial only (as the benchmark's BENCH lines), read by tests/trace.py to
 * write Chrome Trace Event JSON and flame graphs. The text format has only
 * durations; these lines carry every record's own timestamp (ns since the
 * last trace_reset), so a call's interval is [entry ts, return ts] and
 * children nest exactly. Reads without consuming: the text print follows.
 */
#include "kernel/compiler.h"
#include "kernel/dev/console.h"
#include "kernel/kallsyms.h"
#include "kernel/trace/trace.h"
#include "kernel/tsc.h"
#include "lib/format.h"
#include "lib/ringbuf.h"

#define JSON_LINE_MAX	512

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(struct strbuf *l, const char *s)
{
	strbuf_addf(l, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			strbuf_addf(l, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			strbuf_addf(l, "\\u%04x", c);
		else
			strbuf_addf(l, "%c", c);
	}
	strbuf_addf(l, "\"");
}

/* A function's name (hex if unknown), as the text printer names it. */
static void json_sym(struct strbuf *l, const char *key, unsigned long addr)
{
	const char *name = addr ? sym_lookup(addr, NULL, NULL) : NULL;
	char hex[24];

	strbuf_addf(l, ",\"%s\":", key);
	if (!name) {
		snprintf(hex, sizeof(hex), "0x%lx", addr);
		name = hex;
	}
	json_str(l, name);
}

/* A probe event at ring index i: where it fired and the text the printer has for it. */
static void json_event(struct strbuf *l, const struct trace_record *r, unsigned long i)
{
	char text[256] = "";
	struct strbuf t = { text, sizeof(text), 0 };

	trace_format_event(&t, r, i);
	strbuf_addf(l, ",\"ip\":\"0x%lx\"", r->ip);
	json_sym(l, "fn", r->ip);
	strbuf_addf(l, ",\"text\":");
	json_str(l, text);
}

static void json_record(struct strbuf *l, const struct trace_record *r, unsigned long i,
			uint64_t start)
{
	static const char *const types[] = {
		[TRACE_FUNCTION] = "function", [TRACE_GRAPH_ENTRY] = "entry",
		[TRACE_GRAPH_RETURN] = "return", [TRACE_EVENT] = "event",
	};
	uint64_t ns = r->ts > start ? tsc_cycles_to_ns(r->ts - start) : 0;
	const char *type = r->type < ARRAY_SIZE(types) ? types[r->type] : NULL;

	strbuf_addf(l, "TRACE {\"type\":\"%s\",\"cpu\":%u,\"ts\":%llu", type ? type : "unknown",
		    r->cpu, (unsigned long long)ns);
	switch (r->type) {
	case TRACE_FUNCTION:
		json_sym(l, "fn", r->ip);
		json_sym(l, "parent", r->parent_ip);
		break;
	case TRACE_GRAPH_ENTRY:
		strbuf_addf(l, ",\"depth\":%u", r->depth);
		json_sym(l, "fn", r->ip);
		break;
	case TRACE_GRAPH_RETURN:
		strbuf_addf(l, ",\"depth\":%u,\"dur\":%llu", r->depth, (unsigned long long)r->duration_ns);
		json_sym(l, "fn", r->ip);
		break;
	case TRACE_EVENT:
		json_event(l, r, i);
		break;
	default:
		strbuf_addf(l, ",\"code\":%u", r->type);
	}
	strbuf_addf(l, "}");
}

void trace_dump_json(void)
{
	struct ringbuf *rb = trace_buffer();
	unsigned long n = ringbuf_count(rb);
	uint64_t start = trace_start_tsc();
	char text[JSON_LINE_MAX];
	struct strbuf l = { text, sizeof(text), 0 };
	unsigned long lines = n;

	printk_on(CON_SERIAL, "TRACE {\"type\":\"begin\",\"records\":%lu,\"dropped\":%lu,\"cpus\":1}\n",
		  n, trace_dropped());
	for (unsigned long i = 0; i < n; i++) {
		const struct trace_record *r = ringbuf_peek(rb, i);

		if (r->type == TRACE_EVENT_DATA) {	/* an event's values: part of its line */
			lines--;
			continue;
		}
		l.len = 0;
		text[0] = 0;
		json_record(&l, r, i, start);
		printk_on(CON_SERIAL, "%s\n", text);
	}
	printk_on(CON_SERIAL, "TRACE {\"type\":\"end\",\"lines\":%lu}\n", lines);
}
