/*
 * Probe events: the parser (good and bad definitions), every kind of fetch
 * on a made-up register frame, the event line, live events on pe_target,
 * and the probe= options of the command line (a boot test defines them on
 * pe_target, see tests/test_console.py).
 */
#include "kernel/trace/probe_events.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/kallsyms.h"
#include "kernel/ktest.h"
#include "kernel/trace/trace.h"
#include "lib/format.h"
#include "lib/string.h"

volatile long pe_target_sink;
long pe_target(long a, long b, const char *s);

/* What the events probe; the command-line boot test probes it too. */
__noinline long pe_target(long a, long b, const char *s)
{
	pe_target_sink += a;
	return a * 2 + b + (s ? s[0] : 0);
}


static struct probe_event ev;	/* too big for comfort on the stack */

static void test_parse_good(struct ktest *t)
{
	char err[160], def[128];

	KEXPECT_EQ(t, probe_event_parse("p:a pe_target", &ev, err, sizeof(err)), 0);
	KEXPECT(t, ev.kind == 'p' && !strcmp(ev.name, "a") && !strcmp(ev.symbol, "pe_target"));
	KEXPECT_EQ(t, ev.addr, (unsigned long)pe_target);
	KEXPECT_EQ(t, ev.offset, 0);
	KEXPECT_EQ(t, ev.nargs, 0);

	KEXPECT_EQ(t, probe_event_parse("  p   pe_target+0x5  ", &ev, err, sizeof(err)), 0);
	KEXPECT(t, !strcmp(ev.name, "p_pe_target_5"));
	KEXPECT_EQ(t, ev.addr, (unsigned long)pe_target + 5);

	snprintf(def, sizeof(def), "p:byaddr %#lx", (unsigned long)pe_target + 3);
	KEXPECT_EQ(t, probe_event_parse(def, &ev, err, sizeof(err)), 0);
	KEXPECT(t, !strcmp(ev.symbol, "pe_target"));
	KEXPECT_EQ(t, ev.offset, 3);

	KEXPECT_EQ(t, probe_event_parse("r:b pe_target $retval ret=$retval:s32", &ev, err, sizeof(err)), 0);
	KEXPECT(t, ev.kind == 'r' && ev.nargs == 2);
	KEXPECT(t, !strcmp(ev.args[0].name, "arg1") && ev.args[0].fetch.base == PE_RETVAL);
	/* pe_target returns long: BTF types a plain $retval */
	KEXPECT(t, ev.args[0].kind == PE_T_S && ev.args[0].size == sizeof(long));
	KEXPECT(t, !strcmp(ev.args[1].name, "ret") && ev.args[1].kind == PE_T_S && ev.args[1].size == 4);

	KEXPECT_EQ(t, probe_event_parse("p:c pe_target x=$arg1:u32 y=%ax z=+8(%sp):x64 "
					"w=-4(+16($arg2)):s16 s=+0($arg2):string q=$stack3 st=$stack "
					"m=@pe_target+1:u8", &ev, err, sizeof(err)), 0);
	KEXPECT_EQ(t, ev.nargs, 8);
	KEXPECT(t, ev.args[0].fetch.base == PE_ARG && ev.args[0].fetch.index == 1 &&
		ev.args[0].kind == PE_T_U && ev.args[0].size == 4);
	KEXPECT(t, ev.args[1].fetch.base == PE_REG &&
		ev.args[1].fetch.index == __builtin_offsetof(struct pt_regs, ax));
	KEXPECT(t, ev.args[2].fetch.nderef == 1 && ev.args[2].fetch.offs[0] == 8);
	KEXPECT(t, ev.args[3].fetch.nderef == 2 && ev.args[3].fetch.offs[0] == 16 &&
		ev.args[3].fetch.offs[1] == -4 && ev.args[3].kind == PE_T_S && ev.args[3].size == 2);
	KEXPECT(t, ev.args[4].kind == PE_T_STRING && ev.args[4].fetch.nderef == 1);
	KEXPECT(t, ev.args[5].fetch.base == PE_STACK && ev.args[5].fetch.index == 3);
	KEXPECT(t, ev.args[6].fetch.base == PE_STACKP);
	KEXPECT(t, ev.args[7].fetch.base == PE_ADDR && ev.args[7].fetch.addr == (unsigned long)pe_target + 1 &&
		ev.args[7].fetch.nderef == 1 && ev.args[7].size == 1);

	/* The arch's own register names, and the pt_regs ones. */
	KEXPECT_EQ(t, probe_event_parse(ARCH_BITS == 64 ? "p:d pe_target a=%rdi b=%r15 c=%rip d=%flags"
							: "p:d pe_target a=%edi b=%esp c=%eip d=%eflags",
					&ev, err, sizeof(err)), 0);
	KEXPECT(t, ev.args[0].fetch.index == __builtin_offsetof(struct pt_regs, di));
	KEXPECT(t, ev.args[2].fetch.index == __builtin_offsetof(struct pt_regs, ip));
	KEXPECT(t, ev.args[3].fetch.index == __builtin_offsetof(struct pt_regs, flags));
}

static const struct {
	const char *def, *token, *what;	/* the error names the token and what was wrong */
} bad_defs[] = {
	{ "", "", "empty definition" },
	{ "x:a pe_target", "x:a", "expected p, r, p:NAME" },
	{ "pp pe_target", "pp", "expected p, r" },
	{ "p:1a pe_target", "p:1a", "identifier" },
	{ "p:a", "p:a", "missing SYMBOL" },
	{ "p:a no_such_symbol_xyz", "no_such_symbol_xyz", "unknown symbol" },
	{ "p:a pe_target+0x100000", "pe_target+0x100000", "past the end of pe_target" },
	{ "p:a pe_target+zz", "pe_target+zz", "expected SYMBOL" },
	{ "p:a 0x10", "0x10", "not inside any function" },
	{ "r:a pe_target+4", "pe_target+4", "take no offset" },
	{ "p:a pe_target x=%foo", "x=%foo", "unknown register '%foo'" },
	{ "p:a pe_target x=$arg0:u65", "x=$arg0:u65", "unknown type 'u65'" },
	{ "p:a pe_target x=$retval", "x=$retval", "$retval is only known at return" },
	{ "r:a pe_target x=$arg0", "x=$arg0", "only known at entry" },
	{ "p:a pe_target+5 x=$arg0", "x=$arg0", "offset 0" },
	{ "p:a pe_target x=+8(%ax", "x=+8(%ax", "expected ')'" },
	{ "p:a pe_target x=+(%ax)", "x=+(%ax)", "expected +OFFS(FETCHARG)" },
	{ "p:a pe_target x=+0()", "x=+0()", "expected FETCHARG inside" },
	{ "p:a pe_target x=$argZ", "x=$argZ", "expected $argN" },
	{ "p:a pe_target x=$arg16", "x=$arg16", "from 0 to 15" },
	{ "p:a pe_target x=$stackQ", "x=$stackQ", "expected $stack or $stackN" },
	{ "p:a pe_target x=$comm", "x=$comm", "unknown fetch argument" },
	{ "p:a pe_target 9x=%ax", "9x=%ax", "not an identifier" },
	{ "p:a pe_target x=", "x=", "empty argument" },
	{ "p:a pe_target x=%ax x=%bx", "x=%bx", "a second argument called 'x'" },
	{ "p:a pe_target %ax %ax %ax %ax %ax %ax %ax %ax %bx", "%bx", "more than 8 arguments" },
	{ "p:a pe_target x=+0(+0(+0(+0(+0(%ax)))))", "x=+0(+0(+0(+0(+0(%ax)))))", "more than 4 nested" },
	{ "p:a pe_target x=@nosuchsym", "x=@nosuchsym", "unknown symbol" },
	{ ARCH_BITS == 64 ? "p:a pe_target x=%eax" : "p:a pe_target x=%rax",
	  ARCH_BITS == 64 ? "x=%eax" : "x=%rax", "unknown register" },
};

static void test_parse_bad(struct ktest *t)
{
	char err[160], want[96];

	for (size_t i = 0; i < ARRAY_SIZE(bad_defs); i++) {
		int r = probe_event_parse(bad_defs[i].def, &ev, err, sizeof(err));

		snprintf(want, sizeof(want), "at '%s': ", bad_defs[i].token);
		if (!KEXPECT_EQ(t, r, -EINVAL) || !KEXPECT(t, strstr(err, want)) ||
		    !KEXPECT(t, strstr(err, bad_defs[i].what)))
			ktest_log(t, "definition '%s' gave: %s", bad_defs[i].def, err);
	}
}

/* A made-up frame at pe_target's entry: arguments where the ABI puts them. */
static struct pt_regs regs;
static unsigned long stack[16];
static char text[PE_STRING_MAX + 16];
static unsigned long cell[4];

static void frame_setup(void)
{
	memset(&regs, 0, sizeof(regs));
	memset(stack, 0, sizeof(stack));
	regs.sp = (unsigned long)stack;
	stack[0] = (unsigned long)pe_target + 3;	/* the "return address" */
	*regs_arg_ptr(&regs, 0) = (unsigned long)-7;
	*regs_arg_ptr(&regs, 1) = (unsigned long)cell;
	*regs_arg_ptr(&regs, 2) = (unsigned long)text;
	regs.ax = 0x1234;
	regs.flags = 0x2;	/* interrupts off */
	cell[0] = 0x1122334455667788ull & ~0ul;
	cell[1] = (unsigned long)text;
	strlcpy(text, "ab\"c\n", sizeof(text));
}

/* The line for def on the made-up frame, hit at where. */
static const char *line_for(struct ktest *t, const char *def, unsigned long where, unsigned long func)
{
	static char line[PE_LINE_MAX];
	char err[160];

	line[0] = 0;
	if (!KEXPECT_EQ(t, probe_event_parse(def, &ev, err, sizeof(err)), 0)) {
		ktest_log(t, "'%s': %s", def, err);
		return line;
	}
	probe_event_format(&ev, &regs, where, func, line, sizeof(line));
	return line;
}

static void expect_in(struct ktest *t, const char *line, const char *what)
{
	if (!KEXPECT(t, strstr(line, what)))
		ktest_log(t, "expected '%s' in: %s", what, line);
}

static void test_fetch(struct ktest *t)
{
	unsigned long pe = (unsigned long)pe_target;
	unsigned long unmapped = ARCH_BITS == 64 ? (unsigned long)0x00007f0000000000ull : 0xfffff000ul;
	char want[96], def[128];
	const char *l;

	frame_setup();
	l = line_for(t, "p:f pe_target r=%ax a0=$arg0:s32 a0u=$arg0:u8 a0x=$arg0:x16", pe, 0);
	expect_in(t, l, " r=0x1234 a0=-7 a0u=249 a0x=0xfff9");
	l = line_for(t, "p:f pe_target s=+0($arg2):string s2=$arg2:string", pe, 0);
	expect_in(t, l, " s=\"ab\\\"c\\x0a\" s2=\"ab\\\"c\\x0a\"");
	snprintf(def, sizeof(def), "p:f pe_target c=+0($arg1):u32 d=+4($arg1):x8 e=+0(+%u($arg1)):u8",
		 (unsigned)sizeof(long));
	l = line_for(t, def, pe, 0);
	snprintf(want, sizeof(want), " c=%u d=0x%x e=%u", (unsigned)cell[0], ((uint8_t *)cell)[4], 'a');
	expect_in(t, l, want);
	snprintf(def, sizeof(def), "p:f pe_target str=+0(+%u($arg1)):string", (unsigned)sizeof(long));
	l = line_for(t, def, pe, 0);
	expect_in(t, l, " str=\"ab\\\"c\\x0a\"");
	l = line_for(t, "p:f pe_target ret=$stack0:symbol sp=$stack", pe, 0);
	snprintf(want, sizeof(want), " ret=pe_target+0x3/");
	expect_in(t, l, want);
	snprintf(want, sizeof(want), " sp=0x%lx", (unsigned long)stack);
	expect_in(t, l, want);
	l = line_for(t, "p:f pe_target code=@pe_target:u8 code1=@pe_target+1:x8", pe, 0);
	snprintf(want, sizeof(want), " code=%u code1=0x%x", ((uint8_t *)pe)[0], ((uint8_t *)pe)[1]);
	expect_in(t, l, want);

	/* Bad addresses read as (fault), and nothing stops. */
	regs.cx = 8;
	regs.bx = unmapped;
	l = line_for(t, "p:f pe_target a=+0(%cx) b=+0(%bx):u8 c=%bx:string d=-8(%cx):u64", pe, 0);
	expect_in(t, l, " a=(fault) b=(fault) c=(fault) d=(fault)");
	regs.bx = ARCH_BITS == 64 ? (unsigned long)0xdead000000000000ull : 0;	/* not canonical */
	l = line_for(t, "p:f pe_target a=+0(%bx)", pe, 0);
	expect_in(t, l, " a=(fault)");
	/* A string that runs on is cut at PE_STRING_MAX. */
	memset(text, 'z', sizeof(text) - 1);
	text[sizeof(text) - 1] = 0;
	l = line_for(t, "p:f pe_target s=$arg2:string", pe, 0);
	expect_in(t, l, "zzz\"...");
}

static void test_event_line(struct ktest *t)
{
	unsigned long pe = (unsigned long)pe_target;
	char want[128];
	const char *l;

	frame_setup();
	l = line_for(t, "p:myprobe pe_target x=%ax", pe, 0);
	/* "          <idle>-0       [000] d..1.     0.123456: myprobe: (pe_target+0x0/0x..) x=0x1234" */
	KEXPECT(t, !strncmp(l, "          <idle>-0       [000] d..1. ", 36));
	expect_in(t, l, ": myprobe: (pe_target+0x0/0x");
	KEXPECT(t, l[strlen(l) - 1] == '4' && strstr(l, ") x=0x1234"));
	{
		const char *dot = l + 36;	/* timestamp: seconds.microseconds */

		while (*dot == ' ' || (*dot >= '0' && *dot <= '9'))
			dot++;
		KEXPECT(t, *dot == '.' && dot[7] == ':' && dot[8] == ' ');
	}
	regs.flags = 0x202;	/* interrupts on: no 'd' */
	l = line_for(t, "p:myprobe pe_target", pe, 0);
	KEXPECT(t, !strncmp(l + 30, " ...1. ", 7));
	/* A return: (where it returns to <- the function) */
	l = line_for(t, "r:myret pe_target v=$retval:s32", pe + 3, pe);
	expect_in(t, l, ": myret: (pe_target+0x3/0x");
	snprintf(want, sizeof(want), " <- pe_target) v=%d", 0x1234);
	expect_in(t, l, want);
}

static struct probe_event *event(const char *name)
{
	return probe_event_find(name);
}

static void test_live(struct ktest *t)
{
	struct probe_event *p, *r, *k;

	KEXPECT_EQ(t, probe_event_command("p:pe_live pe_target a=$arg0:s32 s=$arg2:string"), 0);
	KEXPECT_EQ(t, probe_event_command("r:pe_liver pe_target v=$retval:s32"), 0);
	p = event("pe_live");
	r = event("pe_liver");
	if (!KEXPECT(t, p && r))
		return;
	KEXPECT_EQ(t, p->via, PE_VIA_FENTRY);
	KEXPECT_EQ(t, r->via, PE_VIA_RETHOOK);
	KEXPECT_EQ(t, pe_target(5, 6, "hi"), 5 * 2 + 6 + 'h');
	KEXPECT_EQ(t, p->hits, 1);
	KEXPECT_EQ(t, r->hits, 1);
	/* Past the fentry site an event is a kprobe (registers only: no $argN). */
	if (fentry_site_exists((unsigned long)pe_target)) {
		KEXPECT_EQ(t, probe_event_command("p:pe_livek pe_target+5 sp=$stack"), 0);
		k = event("pe_livek");
		if (KEXPECT(t, k != NULL)) {
			KEXPECT_EQ(t, k->via, PE_VIA_KPROBE);
			pe_target(1, 2, NULL);
			KEXPECT_EQ(t, k->hits, 1);
			KEXPECT_EQ(t, probe_event_command("-:pe_livek"), 0);
		}
	}
	/* A function without an fentry site (a notrace file): the return hook enters by a kprobe. */
	if (!fentry_site_exists((unsigned long)sym_count)) {
		KEXPECT_EQ(t, probe_event_command("r:pe_liven sym_count n=$retval:u32"), 0);
		k = event("pe_liven");
		if (KEXPECT(t, k != NULL)) {
			KEXPECT_EQ(t, k->via, PE_VIA_RETHOOK);
			sym_count();
			KEXPECT_EQ(t, k->hits, 1);
			KEXPECT_EQ(t, probe_event_command("-:pe_liven"), 0);
		}
	}
	/* A duplicate name and a bad definition change nothing. */
	KEXPECT_EQ(t, probe_event_command("p:pe_live pe_target"), -EEXIST);
	KEXPECT_EQ(t, probe_event_command("p:pe_live2 pe_target x=%nope"), -EINVAL);
	KEXPECT(t, event("pe_live2") == NULL);
	KEXPECT_EQ(t, probe_event_command("-:pe_live"), 0);
	KEXPECT_EQ(t, probe_event_command("-:pe_liver"), 0);
	KEXPECT(t, event("pe_live") == NULL && event("pe_liver") == NULL);
	KEXPECT_EQ(t, probe_event_command("-:pe_live"), -ENOENT);
	pe_target(1, 2, NULL);	/* unhooked: nothing to count, nothing printed */
}

/* GRUB hands quotes on as \" ; probe= collects definitions. */
static void test_cmdline_option(struct ktest *t)
{
	struct kernel_options saved = kopt;
	const char *p = "probe=\\\"p:x pe_target a=$arg0\\\" \"probe=r:y pe_target\"";
	char k[16], v[CMDLINE_PROBE_MAX];

	KEXPECT_EQ(t, cmdline_next(&p, k, sizeof(k), v, sizeof(v)), 1);
	KEXPECT(t, !strcmp(k, "probe") && !strcmp(v, "p:x pe_target a=$arg0"));
	KEXPECT_EQ(t, cmdline_next(&p, k, sizeof(k), v, sizeof(v)), 1);
	KEXPECT(t, !strcmp(k, "probe") && !strcmp(v, "r:y pe_target"));
	kopt.probe_count = 0;
	KEXPECT_EQ(t, cmdline_parse("probe=\"p:x pe_target\" probe=\"r:y pe_target\""), 0);
	KEXPECT_EQ(t, kopt.probe_count, 2);
	KEXPECT(t, !strcmp(kopt.probes[1], "r:y pe_target"));
	kopt = saved;
}

/*
 * The probe= options of this boot that name pe_target: each must have been
 * registered at boot and must count (and record) this call.
 */
static void test_cmdline_events(struct ktest *t)
{
	struct probe_event *evs[CMDLINE_MAX_PROBES];
	unsigned long before[CMDLINE_MAX_PROBES];
	char err[160];
	int n = 0;

	for (int i = 0; i < kopt.probe_count; i++) {
		if (probe_event_parse(kopt.probes[i], &ev, err, sizeof(err)) || strcmp(ev.symbol, "pe_target"))
			continue;
		evs[n] = probe_event_find(ev.name);
		if (!KEXPECT(t, evs[n] != NULL)) {
			ktest_log(t, "probe=%s was not registered at boot", kopt.probes[i]);
			continue;
		}
		before[n] = evs[n]->hits;
		n++;
	}
	if (!n) {
		ktest_skip(t, "no probe= on pe_target on the command line");
		return;
	}
	trace_reset();
	pe_target(21, 1, "cmdline");
	for (int i = 0; i < n; i++) {
		KEXPECT_EQ(t, evs[i]->hits, before[i] + 1);
		ktest_log(t, "%s: %lu hits", evs[i]->name, evs[i]->hits);
	}
	/* As `trace show` would: the events of this call, read from the buffer. */
	trace_print_lines(trace_out_printk, NULL, "nop");
}

static const struct ktest_case probe_events_cases[] = {
	{ "parse_good", test_parse_good },
	{ "parse_bad", test_parse_bad },
	{ "fetch", test_fetch },
	{ "event_line", test_event_line },
	{ "live", test_live },
	{ "cmdline_option", test_cmdline_option },
	{ "cmdline_events", test_cmdline_events },
	{ 0 },
};
static const struct ktest_suite probe_events_suite = { "probe_events", probe_events_cases, NULL };
KTEST_SUITE(probe_events_suite);
