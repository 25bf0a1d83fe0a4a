/*
 * The trace buffer and its Linux-format printers, fed synthetic records
 * naming real kernel functions so their symbols resolve.
 */
#include "kernel/bench/bench.h"
#include "kernel/kallsyms.h"
#include "kernel/ktest.h"
#include "kernel/trace/trace.h"
#include "kernel/tsc.h"
#include "lib/format.h"
#include "lib/ringbuf.h"
#include "lib/string.h"

#define MAX_LINES 24

/* What a printer produced: the first MAX_LINES lines, and how many in all. */
static struct {
	char text[MAX_LINES][160];
	int n;
} out;

static void collect(const char *line, void *ctx)
{
	(void)ctx;
	if (out.n < MAX_LINES)
		strlcpy(out.text[out.n], line, sizeof(out.text[0]));
	out.n++;
}

static void print_function(void)
{
	out.n = 0;
	trace_print_function(collect, NULL);
}

static void print_graph(void)
{
	out.n = 0;
	trace_print_graph(collect, NULL);
}

static void expect_line(struct ktest *t, int i, const char *want)
{
	const char *got = i < out.n && i < MAX_LINES ? out.text[i] : "(no such line)";

	if (!KEXPECT(t, strcmp(got, want) == 0)) {
		ktest_log(t, "line %d: got  '%s'", i, got);
		ktest_log(t, "line %d: want '%s'", i, want);
	}
}

/* Real functions (with symbols) to name in the records. */
#define OUTER	((unsigned long)trace_print_graph)
#define MIDDLE	((unsigned long)trace_reset)
#define LEAF	((unsigned long)trace_dropped)
#define CALLER	((unsigned long)ringbuf_put)

static void add(uint16_t type, uint16_t depth, unsigned long ip, unsigned long parent, uint64_t ns)
{
	struct trace_record r = {
		.type = type, .depth = depth, .ip = ip, .parent_ip = parent, .duration_ns = ns,
		.ts = trace_start_tsc(),
	};

	trace_record_add(&r);
}

static const char *const graph_header[] = {
	"# tracer: function_graph",
	"#",
	"# CPU  DURATION                  FUNCTION CALLS",
	"# |     |   |                     |   |   |   |",
};

static void expect_graph_header(struct ktest *t)
{
	for (int i = 0; i < 4; i++)
		expect_line(t, i, graph_header[i]);
}

static void test_buffer_keeps_oldest(struct ktest *t)
{
	struct ringbuf *rb = trace_buffer();
	struct trace_record r = { .type = TRACE_FUNCTION, .ip = LEAF };
	unsigned long refused = 0;

	trace_reset();
	KEXPECT_EQ(t, ringbuf_capacity(rb), TRACE_RECORDS);
	for (unsigned long i = 0; i < TRACE_RECORDS + 5; i++) {
		r.parent_ip = i;
		refused += trace_record_add(&r) != 0;
	}
	KEXPECT_EQ(t, refused, 5);
	KEXPECT_EQ(t, trace_dropped(), 5);
	KEXPECT_EQ(t, ringbuf_count(rb), TRACE_RECORDS);
	/* overwrite=0: the first record is still there, the last kept is N-1 */
	KEXPECT_EQ(t, ((struct trace_record *)ringbuf_peek(rb, 0))->parent_ip, 0);
	KEXPECT_EQ(t, ((struct trace_record *)ringbuf_peek(rb, TRACE_RECORDS - 1))->parent_ip,
		   TRACE_RECORDS - 1);

	/* Two left in the buffer, 5 dropped: Linux's entries/written header. */
	ringbuf_consume(rb, TRACE_RECORDS - 2);
	print_function();
	expect_line(t, 2, "# entries-in-buffer/entries-written: 2/7   #P:1");
	KEXPECT_EQ(t, out.n, 12 + 2 + 1);
	expect_line(t, 14, "CPU:0 [LOST 5 EVENTS]");	/* once: the next print says nothing */
	print_function();
	KEXPECT_EQ(t, out.n, 12);
	KEXPECT_EQ(t, ringbuf_count(rb), 0);	/* printing consumed them */

	trace_reset();
	KEXPECT_EQ(t, trace_dropped(), 0);
	KEXPECT_EQ(t, trace_record_add(&r), 0);
	KEXPECT_EQ(t, ringbuf_count(rb), 1);
	trace_reset();
}

static void test_function_format(struct ktest *t)
{
	static const char *const header[] = {
		"# tracer: function",
		"#",
		"# entries-in-buffer/entries-written: 3/3   #P:1",
		"#",
		"#                                _-----=> irqs-off/BH-disabled",
		"#                               / _----=> need-resched",
		"#                              | / _---=> hardirq/softirq",
		"#                              || / _--=> preempt-depth",
		"#                              ||| / _-=> migrate-disable",
		"#                              |||| /     delay",
		"#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION",
		"#              | |         |   |||||     |         |",
	};
	struct trace_record r = { .type = TRACE_FUNCTION, .ip = LEAF, .parent_ip = CALLER + 3 };

	trace_reset();
	/* 123.456789 s after the reset: round the cycles up so the ns are not short. */
	r.ts = trace_start_tsc() + tsc.hz * 123 + (456789ULL * tsc.hz + 999999) / 1000000;
	r.flags = TRACE_FLAG_IRQS_OFF;
	trace_record_add(&r);
	/* no caller, hard interrupt context, at the reset itself */
	r.ts = trace_start_tsc();
	r.parent_ip = 0;
	r.flags = TRACE_FLAG_HARDIRQ;
	r.ip = MIDDLE;
	trace_record_add(&r);
	/* an address outside every symbol prints in hex */
	r.ip = 0x10;
	r.flags = 0;
	trace_record_add(&r);

	print_function();
	KEXPECT_EQ(t, out.n, 12 + 3);
	for (int i = 0; i < 12; i++)
		expect_line(t, i, header[i]);
	if (tsc.hz > 1000000)
		expect_line(t, 12, "          <idle>-0       [000] d....   123.456789: trace_dropped <-ringbuf_put");
	else
		ktest_log(t, "TSC rate unknown: timestamp not checked");
	expect_line(t, 13, "          <idle>-0       [000] ..h..     0.000000: trace_reset");
	expect_line(t, 14, "          <idle>-0       [000] .....     0.000000: 0x10");
	KEXPECT_EQ(t, ringbuf_count(trace_buffer()), 0);
	trace_reset();
}

static void test_graph_nesting(struct ktest *t)
{
	trace_reset();
	add(TRACE_GRAPH_ENTRY, 0, OUTER, 0, 0);
	add(TRACE_GRAPH_ENTRY, 1, MIDDLE, 0, 0);
	add(TRACE_GRAPH_ENTRY, 2, LEAF, 0, 0);
	add(TRACE_GRAPH_RETURN, 2, LEAF, 0, 123);
	add(TRACE_GRAPH_ENTRY, 2, LEAF, 0, 0);
	add(TRACE_GRAPH_RETURN, 2, LEAF, 0, 1999);
	add(TRACE_GRAPH_RETURN, 1, MIDDLE, 0, 12345);
	add(TRACE_GRAPH_RETURN, 0, OUTER, 0, 1234567);
	/* an entry whose return never came: stays open */
	add(TRACE_GRAPH_ENTRY, 0, LEAF, 0, 0);

	print_graph();
	KEXPECT_EQ(t, out.n, 4 + 7);
	expect_graph_header(t);
	expect_line(t, 4, " 0)               |  trace_print_graph() {");
	expect_line(t, 5, " 0)               |    trace_reset() {");
	expect_line(t, 6, " 0)   0.123 us    |      trace_dropped();");
	expect_line(t, 7, " 0)   1.999 us    |      trace_dropped();");
	expect_line(t, 8, " 0) + 12.345 us   |    }");
	expect_line(t, 9, " 0) # 1234.567 us |  }");
	expect_line(t, 10, " 0)               |  trace_dropped() {");
	KEXPECT_EQ(t, ringbuf_count(trace_buffer()), 0);
	trace_reset();
}

/* Each duration as a leaf line: the field is 12 wide whatever the size. */
static void test_graph_durations(struct ktest *t)
{
	static const struct { uint64_t ns; const char *line; } cases[] = {
		{ 0, " 0)   0.000 us    |  trace_dropped();" },
		{ 999, " 0)   0.999 us    |  trace_dropped();" },
		{ 10000, " 0)   10.000 us   |  trace_dropped();" },
		{ 10001, " 0) + 10.001 us   |  trace_dropped();" },
		{ 100001, " 0) ! 100.001 us  |  trace_dropped();" },
		{ 1000001, " 0) # 1000.001 us |  trace_dropped();" },
		{ 12345678, " 0) * 12345.67 us |  trace_dropped();" },
		{ 123456789, " 0) @ 123456.7 us |  trace_dropped();" },
		{ 1234567890, " 0) $ 1234567 us  |  trace_dropped();" },
		{ 98765432109ULL, " 0) $ 98765432 us |  trace_dropped();" },
	};
	const int n = ARRAY_SIZE(cases);

	trace_reset();
	for (int i = 0; i < n; i++) {
		add(TRACE_GRAPH_ENTRY, 0, LEAF, 0, 0);
		add(TRACE_GRAPH_RETURN, 0, LEAF, 0, cases[i].ns);
	}
	print_graph();
	KEXPECT_EQ(t, out.n, 4 + n);
	for (int i = 0; i < n; i++)
		expect_line(t, 4 + i, cases[i].line);
	trace_reset();
}

/* Returns whose entry is not in the output name their function, like Linux. */
static void test_graph_lost_entry(struct ktest *t)
{
	struct ringbuf *rb = trace_buffer();
	struct trace_record r = { .type = TRACE_FUNCTION, .ip = LEAF };

	/* Fill the buffer so the entry of OUTER is dropped ... */
	trace_reset();
	for (unsigned long i = 0; i < TRACE_RECORDS; i++)
		trace_record_add(&r);
	add(TRACE_GRAPH_ENTRY, 0, OUTER, 0, 0);
	KEXPECT_EQ(t, trace_dropped(), 1);
	/* ... then make room (as a reader would) and let its return in. */
	ringbuf_consume(rb, TRACE_RECORDS);
	add(TRACE_GRAPH_ENTRY, 1, MIDDLE, 0, 0);
	add(TRACE_GRAPH_ENTRY, 2, LEAF, 0, 0);
	add(TRACE_GRAPH_RETURN, 2, MIDDLE, 0, 3000);	/* not the open function */
	add(TRACE_GRAPH_RETURN, 1, MIDDLE, 0, 4000);
	add(TRACE_GRAPH_RETURN, 0, OUTER, 0, 5000);

	print_graph();
	KEXPECT_EQ(t, out.n, 4 + 5 + 1);
	expect_graph_header(t);
	expect_line(t, 9, "CPU:0 [LOST 1 EVENTS]");
	expect_line(t, 4, " 0)               |    trace_reset() {");
	expect_line(t, 5, " 0)               |      trace_dropped() {");
	expect_line(t, 6, " 0)   3.000 us    |      } /* trace_reset */");
	expect_line(t, 7, " 0)   4.000 us    |    }");
	expect_line(t, 8, " 0)   5.000 us    |  } /* trace_print_graph */");
	trace_reset();
}

/* Function records and events inside a graph are comments in the open call. */
static void test_graph_comments(struct ktest *t)
{
	char want[160], where[96];
	struct trace_record ev = { .type = TRACE_EVENT, .ip = MIDDLE + 1,
				   .event = { .id = 0xffffff, .gen = 0, .len = 0 } };

	trace_reset();
	add(TRACE_FUNCTION, 0, LEAF, CALLER + 1, 0);
	add(TRACE_GRAPH_ENTRY, 0, OUTER, 0, 0);
	add(TRACE_FUNCTION, 0, LEAF, CALLER + 1, 0);
	trace_record_add(&ev);
	add(TRACE_GRAPH_RETURN, 0, OUTER, 0, 7000);

	print_graph();
	KEXPECT_EQ(t, out.n, 4 + 5);
	expect_line(t, 4, " 0)               |  /* trace_dropped <-ringbuf_put */");
	expect_line(t, 5, " 0)               |  trace_print_graph() {");
	expect_line(t, 6, " 0)               |    /* trace_dropped <-ringbuf_put */");
	sym_format(where, sizeof(where), MIDDLE + 1);
	KEXPECT(t, str_starts_with(where, "trace_reset+0x1/0x"));
	/* a record naming no event defined now (slot and generation) */
	snprintf(want, sizeof(want), " 0)               |    /* (a removed event): (%s) */", where);
	expect_line(t, 7, want);
	expect_line(t, 8, " 0)   7.000 us    |  }");
	trace_reset();
}

static const struct ktest_case trace_cases[] = {
	{ "buffer_keeps_oldest", test_buffer_keeps_oldest },
	{ "function_format", test_function_format },
	{ "graph_nesting", test_graph_nesting },
	{ "graph_durations", test_graph_durations },
	{ "graph_lost_entry", test_graph_lost_entry },
	{ "graph_comments", test_graph_comments },
	{ 0 },
};
static const struct ktest_suite trace_suite = { "trace_output", trace_cases, ktest_skip_if_hook_all };
KTEST_SUITE(trace_suite);

/*
 * mode=bench: the cost of one trace_record_add that goes in (the buffer is
 * emptied, without printing, whenever it fills).
 */
static struct trace_record bench_rec = { .type = TRACE_FUNCTION, .ip = LEAF, .parent_ip = CALLER };

static int bench_add_setup(void)
{
	trace_reset();
	return 0;
}

static void bench_add_run(void)
{
	if (trace_record_add(&bench_rec))
		ringbuf_consume(trace_buffer(), TRACE_RECORDS);
}

static const struct bench_scenario trace_add_bench = {
	.id = "trace_record_add", .what = "one trace record into the buffer",
	.setup = bench_add_setup, .run = bench_add_run, .teardown = trace_reset,
};
BENCH_SCENARIO(trace_add_bench);
