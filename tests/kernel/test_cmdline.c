/* Command-line parsing: splitting, quoting, errors that change nothing. */
#include "kernel/cmdline.h"
#include "kernel/ktest.h"
#include "lib/string.h"

static void test_split(struct ktest *t)
{
	const char *p = "  mode=test  name=\"a b c\" flag x=";
	char k[16], v[16];

	KEXPECT_EQ(t, cmdline_next(&p, k, sizeof(k), v, sizeof(v)), 1);
	KEXPECT(t, !strcmp(k, "mode") && !strcmp(v, "test"));
	KEXPECT_EQ(t, cmdline_next(&p, k, sizeof(k), v, sizeof(v)), 1);
	KEXPECT(t, !strcmp(k, "name") && !strcmp(v, "a b c"));
	KEXPECT_EQ(t, cmdline_next(&p, k, sizeof(k), v, sizeof(v)), 1);
	KEXPECT(t, !strcmp(k, "flag") && !strcmp(v, ""));
	KEXPECT_EQ(t, cmdline_next(&p, k, sizeof(k), v, sizeof(v)), 1);
	KEXPECT(t, !strcmp(k, "x") && !strcmp(v, ""));
	KEXPECT_EQ(t, cmdline_next(&p, k, sizeof(k), v, sizeof(v)), 0);
}

static void test_malformed(struct ktest *t)
{
	const char *p = "a=\"unterminated";
	char k[4], v[8];

	KEXPECT_EQ(t, cmdline_next(&p, k, sizeof(k), v, sizeof(v)), -1);
	p = "toolongkey=1";
	KEXPECT_EQ(t, cmdline_next(&p, k, sizeof(k), v, sizeof(v)), -1);
	p = "=novalue";
	KEXPECT_EQ(t, cmdline_next(&p, k, sizeof(k), v, sizeof(v)), -1);
}

/* Errors are counted and leave the options as they were. */
static void test_parse_errors(struct ktest *t)
{
	struct kernel_options saved = kopt;

	KEXPECT_EQ(t, cmdline_parse("mode=bogus bogus_option=1 console=nowhere"), 3);
	KEXPECT_EQ(t, kopt.mode, saved.mode);
	KEXPECT_EQ(t, kopt.consoles, saved.consoles);
	KEXPECT_EQ(t, cmdline_parse("mode=idle test=traps*"), 0);
	KEXPECT_EQ(t, kopt.mode, MODE_IDLE);
	KEXPECT(t, !strcmp(kopt.test_filter, "traps*"));
	kopt = saved;
}

/* mode=trace's options: trace=[graph:|function:]GLOB and profile=GLOB. */
static void test_trace_options(struct ktest *t)
{
	struct kernel_options saved = kopt;

	KEXPECT_EQ(t, cmdline_parse("trace=function:k* profile=kmalloc"), 0);
	KEXPECT(t, kopt.trace_function && !strcmp(kopt.trace_glob, "k*"));
	KEXPECT(t, !strcmp(kopt.profile_glob, "kmalloc"));
	KEXPECT_EQ(t, cmdline_parse("trace=graph:boot_*"), 0);
	KEXPECT(t, !kopt.trace_function && !strcmp(kopt.trace_glob, "boot_*"));
	KEXPECT_EQ(t, cmdline_parse("trace=kmalloc"), 0);
	KEXPECT(t, !kopt.trace_function && !strcmp(kopt.trace_glob, "kmalloc"));
	/* refused: nothing changes */
	KEXPECT_EQ(t, cmdline_parse("trace=function: trace=graph: trace= profile= "
				    "trace=function:0123456789012345678901234567890123456789012345678901234567890123456789 "
				    "profile=0123456789012345678901234567890123456789012345678901234567890123456789"), 6);
	KEXPECT(t, !kopt.trace_function && !strcmp(kopt.trace_glob, "kmalloc"));
	KEXPECT(t, !strcmp(kopt.profile_glob, "kmalloc"));
	kopt = saved;
}

static const struct ktest_case cmdline_cases[] = {
	{ "split", test_split },
	{ "malformed", test_malformed },
	{ "parse_errors", test_parse_errors },
	{ "trace_options", test_trace_options },
	{ 0 },
};
static const struct ktest_suite cmdline_suite = { "cmdline", cmdline_cases, NULL };
KTEST_SUITE(cmdline_suite);
