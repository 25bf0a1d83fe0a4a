/*
 * The console: a line editor reading the PS/2 keyboard and COM1 (both
 * polled: interrupts stay off), echoing on every console, and a handful of
 * commands to look at and drive the probe machinery. Long listings stop
 * every screenful when there is a screen.
 */
#include "kernel/shell.h"
#include "kernel/btf.h"
#include "kernel/dev/acpi.h"
#include "kernel/bench/bench.h"
#include "kernel/dev/console.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/probes/fentry.h"
#include "kernel/trace/fgraph.h"
#include "kernel/kallsyms.h"
#include "kernel/dev/kbd.h"
#include "kernel/probes/kprobes.h"
#include "kernel/trace/probe_events.h"
#include "kernel/trace/profile.h"
#include "kernel/probes/shadow_stack.h"
#include "kernel/smp/smp.h"
#include "kernel/trace/trace.h"
#include "lib/format.h"
#include "lib/ringbuf.h"
#include "lib/string.h"

#define LINE_MAX	PE_DEF_MAX
#define HISTORY		16
#define PAGE_LINES	23	/* a 25-line screen keeps the prompt and one line of context */
#define MAX_ARGS	4

/* ---- input -------------------------------------------------------------- */

/* COM1 bytes as keys: CR (or CRLF) is Enter, DEL is Backspace, ESC [ A.. are arrows. */
static int serial_key(int c)
{
	static int esc, last_cr;

	if (esc == 1) {
		esc = c == '[' || c == 'O' ? 2 : 0;
		return -1;
	}
	if (esc == 2) {
		esc = 0;
		switch (c) {
		case 'A': return KEY_UP;
		case 'B': return KEY_DOWN;
		case 'C': return KEY_RIGHT;
		case 'D': return KEY_LEFT;
		}
		return -1;
	}
	if (c == 27) {
		esc = 1;
		return -1;
	}
	if (c == '\n' && last_cr) {
		last_cr = 0;
		return -1;
	}
	last_cr = c == '\r';
	if (c == '\r')
		return '\n';
	if (c == 0x7f)
		return '\b';
	return c;
}

/* A key if one is waiting (keyboard or COM1), else -1. */
static int poll_key(void)
{
	int c = kbd_read();

	if (c >= 0)
		return c;
	c = serial_read_char();
	return c >= 0 ? serial_key(c) : -1;
}

int shell_read_key(void)
{
	for (;;) {
		int c = poll_key();

		if (c >= 0)
			return c;
		cpu_relax();
	}
}

static char history[HISTORY][LINE_MAX];
static unsigned history_len;	/* lines ever entered; the last HISTORY are kept */

static void history_add(const char *line)
{
	if (!line[0] || (history_len && !strcmp(history[(history_len - 1) % HISTORY], line)))
		return;
	strlcpy(history[history_len % HISTORY], line, LINE_MAX);
	history_len++;
}

static void erase(size_t n)
{
	while (n--)
		printk("\b \b");
}

static void read_line(char *buf, size_t size)
{
	size_t n = 0;
	unsigned back = 0;	/* how far up the history we are */

	buf[0] = 0;
	for (;;) {
		int c = shell_read_key();

		if (c == '\n') {
			printk("\n");
			return;
		}
		if (c == 3) {		/* Ctrl-C: drop the line */
			printk("^C\n");
			buf[0] = 0;
			return;
		}
		if (c == '\b' || c == 21) {	/* Backspace, Ctrl-U */
			size_t k = c == '\b' ? (n > 0) : n;

			erase(k);
			n -= k;
			buf[n] = 0;
			continue;
		}
		if (c == KEY_UP || c == KEY_DOWN) {
			unsigned kept = history_len < HISTORY ? history_len : HISTORY;

			if (c == KEY_UP && back < kept)
				back++;
			else if (c == KEY_DOWN && back > 0)
				back--;
			else
				continue;
			erase(n);
			strlcpy(buf, back ? history[(history_len - back) % HISTORY] : "", size);
			n = strlen(buf);
			printk("%s", buf);
			continue;
		}
		if (c == '\t')
			c = ' ';
		if (c < 0x20 || c > 0x7e || n + 1 >= size)
			continue;
		buf[n++] = (char)c;
		buf[n] = 0;
		printk("%c", c);
	}
}

/* ---- paged output ------------------------------------------------------- */

static struct {
	int lines, quit, on;
} pager;

static void pager_begin(void)
{
	pager.lines = 0;
	pager.quit = 0;
	pager.on = console_present(CON_SCREEN);
}

/* Print one line; -1 once the reader pressed q. */
static int pager_line(const char *line)
{
	static const char prompt[] = "-- more: space next page, enter next line, q quit --";

	if (pager.quit)
		return -1;
	if (pager.on && pager.lines >= PAGE_LINES) {
		int c;

		printk("%s", prompt);
		c = shell_read_key();
		printk("\r%*s\r", (int)sizeof(prompt) - 1, "");
		if (c == 'q' || c == 'Q' || c == 3) {
			pager.quit = 1;
			return -1;
		}
		pager.lines = c == '\n' ? PAGE_LINES - 1 : 0;
	}
	printk("%s\n", line);
	pager.lines++;
	return 0;
}

static void pager_out(const char *line, void *ctx)
{
	(void)ctx;
	pager_line(line);
}

/* ---- commands ----------------------------------------------------------- */

static void cmd_help(void)
{
	static const char *const lines[] = {
		"commands:",
		"  help                         this list",
		"  probes                       probe events, kprobes, hooks, with hit counts",
		"  cpus                         the CPUs: APIC id, state, probe hits served",
		"  p[:NAME] SYMBOL[+OFFS] [ARGS]  define a probe event (as in kprobe_events)",
		"  r[:NAME] SYMBOL [ARGS]       define a return event ($retval)",
		"  -:NAME                       remove an event",
		"  enable|disable NAME|GLOB     arm / disarm events, keeping them",
		"  filter NAME EXPR | NAME 0    record only hits where EXPR holds (size >= 4096 && ...)",
		"       ARGS: [NAME=]FETCH[:TYPE]; FETCH %REG $argN $stackN $stack $retval",
		"       @ADDR +OFFS(FETCH); TYPE u8..u64 s8..s64 x8..x64 string symbol",
		"  bench [GLOB]                 run the benchmark (or the scenarios matching GLOB)",
		"  trace function|graph GLOB    start the function / function_graph tracer",
		"  trace stop                   stop it",
		"  trace show                   print (and consume) the trace",
		"       or by BTF name: PARAM, PARAM->MEMBER.MEMBER, $arg*, $retval",
		"  trace pipe                   print records as they arrive, until a key",
		"  trace clear                  empty the buffer",
		"  profile GLOB                 count calls and time of the functions matching GLOB",
		"  profile stop | profile show  stop counting | the table, by total time",
		"  syms [GLOB]                  the symbol table (prototypes from BTF)",
		"  btf NAME                     a struct's layout, a typedef, a prototype",
		"  reboot, poweroff             leave (ACPI, keyboard controller, triple fault)",
		"keys: Backspace, Ctrl-U (clear), Ctrl-C (cancel), Up/Down (history)",
	};

	pager_begin();
	for (size_t i = 0; i < ARRAY_SIZE(lines); i++)
		if (pager_line(lines[i]))
			break;
}

enum { TRACER_NONE, TRACER_FUNCTION, TRACER_GRAPH };
static int tracer, last_tracer = TRACER_NONE;
static char tracer_glob[64];

static void cmd_probes(void)
{
	struct fentry_stats fs;
	struct shadow_stats ss;

	probe_events_list();
	kprobe_report();
	fentry_get_stats(&fs);
	printk("fentry: %lu sites, %lu hooked, %lu recursion misses\n", fs.sites, fs.enabled,
	       fs.recursion_misses);
	shadow_stack_get_stats(&ss);
	printk("shadow stack: depth %u (max %u), pushed %lu, popped %lu, overflows %lu, "
	       "stale %lu, lost %lu\n", ss.depth, ss.max_depth, ss.pushed, ss.popped, ss.overflows,
	       ss.stale_dropped, ss.lost);
	if (tracer == TRACER_NONE)
		printk("tracer: off\n");
	else
		printk("tracer: %s on '%s'\n", tracer == TRACER_FUNCTION ? "function" : "function_graph",
		       tracer_glob);
	if (profile_running())
		printk("profile: on '%s' (%lu functions)\n", profile_glob(), profile_functions());
}

static void tracer_stop(void)
{
	if (tracer == TRACER_FUNCTION)
		function_tracer_stop();
	else if (tracer == TRACER_GRAPH)
		fgraph_stop();
	tracer = TRACER_NONE;
}

/* The buffer in the format of the tracer that ran last (nop: events only). */
static void trace_print_current(trace_out_fn out)
{
	if (last_tracer == TRACER_GRAPH)
		trace_print_graph(out, NULL);
	else
		trace_print_lines(out, NULL, last_tracer == TRACER_FUNCTION ? "function" : "nop");
}

/*
 * Linux's trace_pipe: print records as they arrive, consuming them, until
 * a key is pressed. Printing may itself fire events (a probe on console
 * code): those print in the next round, like any others.
 */
static void trace_pipe(void)
{
	printk("trace pipe: records as they arrive; any key stops\n");
	for (;;) {
		if (ringbuf_count(trace_buffer()))
			trace_print_lines(trace_out_printk, NULL, NULL);	/* no header */
		if (poll_key() >= 0)
			break;
		cpu_relax();
	}
}

static void cmd_trace(int argc, char **argv)
{
	int err, kind;

	if (argc == 2 && !strcmp(argv[1], "stop")) {
		if (tracer == TRACER_NONE)
			printk("trace: no tracer running\n");
		tracer_stop();
		return;
	}
	if (argc == 2 && !strcmp(argv[1], "show")) {
		pager_begin();
		trace_print_current(pager_out);
		return;
	}
	if (argc == 2 && !strcmp(argv[1], "clear")) {
		trace_reset();
		printk("trace: buffer cleared\n");
		return;
	}
	if (argc == 2 && !strcmp(argv[1], "pipe")) {
		trace_pipe();
		return;
	}
	if (argc != 3 || (strcmp(argv[1], "function") && strcmp(argv[1], "graph"))) {
		printk("usage: trace function GLOB | trace graph GLOB | trace stop | trace show | trace pipe | trace clear\n");
		return;
	}
	if (strlen(argv[2]) >= sizeof(tracer_glob)) {
		printk("trace: glob longer than %u characters\n", (unsigned)sizeof(tracer_glob) - 1);
		return;
	}
	tracer_stop();
	strlcpy(tracer_glob, argv[2], sizeof(tracer_glob));	/* the tracer keeps the pointer */
	kind = argv[1][0] == 'f' ? TRACER_FUNCTION : TRACER_GRAPH;
	trace_reset();
	err = kind == TRACER_FUNCTION ? function_tracer_start(tracer_glob) : fgraph_start(tracer_glob, 0);
	if (err) {
		printk("trace: cannot start the %s tracer on '%s' (error %d%s)\n", argv[1], tracer_glob,
		       err, err == -ENOENT ? ": no traceable function matches" : "");
		return;
	}
	tracer = last_tracer = kind;
	if (kind == TRACER_GRAPH)
		printk("trace: function_graph on '%s' (%lu functions)\n", tracer_glob, fgraph_functions());
	else
		printk("trace: function tracer on '%s'\n", tracer_glob);
}

static void cmd_profile(int argc, char **argv)
{
	int err;

	if (argc == 2 && !strcmp(argv[1], "stop")) {
		if (!profile_running())
			printk("profile: not running\n");
		profile_stop();
		return;
	}
	if (argc == 2 && !strcmp(argv[1], "show")) {
		pager_begin();
		profile_show(pager_out, NULL);
		return;
	}
	if (argc != 2) {
		printk("usage: profile GLOB | profile stop | profile show\n");
		return;
	}
	err = profile_start(argv[1]);
	if (err == -EINVAL)
		printk("profile: glob longer than %d characters\n", PROFILE_GLOB_MAX - 1);
	else if (err)
		printk("profile: cannot profile '%s' (error %d%s)%s\n", argv[1], err,
		       err == -ENOENT ? ": no traceable function matches" : "",
		       profile_running() ? "; the running profile goes on" : "");
	else
		printk("profile: %lu functions on '%s' (profile show: the table)\n", profile_functions(),
		       argv[1]);
}

struct syms_walk {
	const char *glob;
	unsigned long n;
};

static int syms_one(const char *name, unsigned long addr, unsigned long size, void *ctx)
{
	struct syms_walk *w = ctx;
	const struct btf *b = kernel_btf();
	uint32_t func = 0;
	char line[256], proto[200];

	if (w->glob && !glob_match(w->glob, name))
		return 0;
	w->n++;
	if (!b || !btf_func_proto(b, name, &func) || btf_func_format(b, func, proto, sizeof(proto)) < 0)
		strlcpy(proto, name, sizeof(proto));
	snprintf(line, sizeof(line), "%0*lx %6lx %c %s", (int)(2 * sizeof(long)), addr, size,
		 fentry_site_exists(addr) ? 'f' : ' ', proto);
	return pager_line(line) < 0;
}

static void cmd_syms(int argc, char **argv)
{
	struct syms_walk w = { argc > 1 ? argv[1] : NULL, 0 };

	pager_begin();
	pager_line("address          size   name (f: has an fentry site)");
	if (!sym_for_each(syms_one, &w))
		printk("%lu of %lu symbols\n", w.n, sym_count());
}

static int btf_line(void *ctx, const char *line)
{
	(void)ctx;
	return pager_line(line);
}

/* btf NAME: a struct/union's layout (pahole-like), what a typedef is, a prototype. */
static void cmd_btf(const char *name)
{
	static const uint8_t kinds[] = { BTF_KIND_STRUCT, BTF_KIND_UNION, BTF_KIND_TYPEDEF,
					 BTF_KIND_FUNC, BTF_KIND_ENUM };
	const struct btf *b = kernel_btf();
	char line[200];
	uint32_t id = 0;
	size_t i;

	if (!b) {
		printk("btf: the kernel has no BTF (see the boot log)\n");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(kinds) && !id; i++)
		id = btf_find(b, kinds[i], name);
	if (!id) {
		printk("btf: no struct, union, typedef, enum or function called '%s'\n", name);
		return;
	}
	pager_begin();
	switch (kinds[i - 1]) {
	case BTF_KIND_FUNC:
		btf_func_format(b, id, line, sizeof(line));
		pager_line(line);
		return;
	case BTF_KIND_TYPEDEF:
		btf_decl(b, btf_type_by_id(b, id)->size_or_type, name, line + 8, sizeof(line) - 8);
		memcpy(line, "typedef ", 8);
		if (pager_line(line) || btf_layout(b, id, btf_line, NULL) != -1)
			return;
		break;
	case BTF_KIND_ENUM: {
		const struct btf_type *t = btf_type_by_id(b, id);
		const struct btf_enum *e = btf_extra(t);

		snprintf(line, sizeof(line), "enum %s {", name);
		pager_line(line);
		for (unsigned k = 0; k < btf_vlen(t); k++) {
			snprintf(line, sizeof(line), "        %s = %d,", btf_str(b, e[k].name_off), e[k].val);
			if (pager_line(line))
				return;
		}
		pager_line("};");
		return;
	}
	default:
		btf_layout(b, id, btf_line, NULL);
	}
}

static int split(char *line, char **argv)
{
	int argc = 0;

	for (char *p = line; *p;) {
		while (*p == ' ')
			*p++ = 0;
		if (!*p)
			break;
		if (argc == MAX_ARGS)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ')
			p++;
	}
	return argc;
}

/* filter NAME EXPR | filter NAME 0 */
static void cmd_filter(char *args)
{
	char *name = args, *expr;

	while (*name == ' ')
		name++;
	expr = name;
	while (*expr && *expr != ' ')
		expr++;
	if (*expr)
		*expr++ = 0;
	while (*expr == ' ')
		expr++;
	if (!*name || !*expr) {
		printk("usage: filter NAME EXPR (Linux's filter syntax on the event's arguments) | filter NAME 0\n");
		return;
	}
	probe_event_set_filter(name, expr);
}

static int is_probe_definition(const char *s)
{
	return ((s[0] == 'p' || s[0] == 'r') && (s[1] == ':' || s[1] == ' ')) ||
	       (s[0] == '-' && s[1] == ':');
}

void shell_execute(char *line)
{
	char *argv[MAX_ARGS];
	int argc;

	while (*line == ' ')
		line++;
	if (is_probe_definition(line)) {
		probe_event_command(line);
		return;
	}
	if (str_starts_with(line, "filter ")) {	/* the expression keeps its spaces */
		cmd_filter(line + 7);
		return;
	}
	argc = split(line, argv);
	if (argc == 0)
		return;
	if (argc < 0) {
		printk("too many words (at most %d)\n", MAX_ARGS);
		return;
	}
	if (!strcmp(argv[0], "help") && argc == 1)
		cmd_help();
	else if (!strcmp(argv[0], "probes") && argc == 1)
		cmd_probes();
	else if (!strcmp(argv[0], "cpus") && argc == 1)
		smp_print_cpus();
	else if (!strcmp(argv[0], "bench") && argc <= 2)
		bench_run_all(argc == 2 ? argv[1] : "*");
	else if (!strcmp(argv[0], "trace"))
		cmd_trace(argc, argv);
	else if (!strcmp(argv[0], "profile"))
		cmd_profile(argc, argv);
	else if ((!strcmp(argv[0], "enable") || !strcmp(argv[0], "disable")) && argc == 2)
		probe_events_enable(argv[1], argv[0][0] == 'e');
	else if (!strcmp(argv[0], "syms") && argc <= 2)
		cmd_syms(argc, argv);
	else if (!strcmp(argv[0], "btf") && argc == 2)
		cmd_btf(argv[1]);
	else if (!strcmp(argv[0], "btf") && argc == 3 && (!strcmp(argv[1], "struct") || !strcmp(argv[1], "union")))
		cmd_btf(argv[2]);
	else if (!strcmp(argv[0], "reboot") && argc == 1)
		acpi_reboot();
	else if (!strcmp(argv[0], "poweroff") && argc == 1)
		acpi_power_off();
	else
		printk("unknown command or arguments: '%s' (type help)\n", argv[0]);
}

void shell_run(void)
{
	char line[LINE_MAX];

	if (kbd_init())
		printk("console: no PS/2 keyboard controller; input from COM1 only\n");
	printk("console: type help for the commands\n");
	for (;;) {
		printk("uniprobe> ");
		read_line(line, sizeof(line));
		history_add(line);
		shell_execute(line);
	}
}
