/* The self-test runner: KTAP version 1 on serial, a summary on every console. */
#include <stdarg.h>
#include "kernel/ktest.h"
#include "kernel/dev/console.h"
#include "lib/string.h"
#include "lib/format.h"

extern const struct ktest_suite *const __ktest_suites_start[], *const __ktest_suites_end[];

int ktest_check(struct ktest *t, int cond, const char *expr, const char *file, int line)
{
	t->checks++;
	if (!cond) {
		t->failed++;
		printk_on(CON_SERIAL, "    # %s.%s: %s:%d: expected %s\n", t->suite, t->name,
			  file, line, expr);
	}
	return cond;
}

int ktest_check_eq(struct ktest *t, unsigned long long a, unsigned long long b,
		   const char *ea, const char *eb, const char *file, int line)
{
	t->checks++;
	if (a != b) {
		t->failed++;
		printk_on(CON_SERIAL, "    # %s.%s: %s:%d: expected %s == %s, got %#llx != %#llx\n",
			  t->suite, t->name, file, line, ea, eb, a, b);
	}
	return a == b;
}

void ktest_skip(struct ktest *t, const char *reason)
{
	t->skip_reason = reason;
}

void ktest_log(struct ktest *t, const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk_on(CON_SERIAL, "    # %s.%s: %s\n", t->suite, t->name, buf);
}

static int case_selected(const char *filter, const char *suite, const char *name)
{
	char full[96];

	snprintf(full, sizeof(full), "%s.%s", suite, name);
	return glob_match(filter, suite) || glob_match(filter, full);
}

static int count_cases(const struct ktest_suite *s, const char *filter)
{
	int n = 0;

	for (const struct ktest_case *c = s->cases; c->name; c++)
		n += case_selected(filter, s->name, c->name);
	return n;
}

int ktest_run_all(const char *filter)
{
	int nsuites = 0, total_pass = 0, total_fail = 0, total_skip = 0, index = 0;

	for (const struct ktest_suite *const *s = __ktest_suites_start; s < __ktest_suites_end; s++)
		nsuites += count_cases(*s, filter) > 0;

	printk_on(CON_SERIAL, "KTAP version 1\n1..%d\n", nsuites);
	for (const struct ktest_suite *const *sp = __ktest_suites_start; sp < __ktest_suites_end; sp++) {
		const struct ktest_suite *s = *sp;
		int n = count_cases(s, filter), i = 0, suite_failed = 0;

		if (!n)
			continue;
		printk_on(CON_SERIAL, "    KTAP version 1\n    # Subtest: %s\n    1..%d\n", s->name, n);
		for (const struct ktest_case *c = s->cases; c->name; c++) {
			struct ktest t = { s->name, c->name, 0, NULL, 0 };

			if (!case_selected(filter, s->name, c->name))
				continue;
			if (s->skip && (t.skip_reason = s->skip()) != NULL)
				t.checks = 1;
			else
				c->run(&t);
			i++;
			if (t.skip_reason && !t.failed) {
				printk_on(CON_SERIAL, "    ok %d %s # SKIP %s\n", i, c->name, t.skip_reason);
				total_skip++;
			} else if (t.failed || t.checks == 0) {
				if (!t.checks)
					printk_on(CON_SERIAL, "    # %s.%s: made no checks\n", s->name, c->name);
				printk_on(CON_SERIAL, "    not ok %d %s\n", i, c->name);
				total_fail++;
				suite_failed = 1;
			} else {
				printk_on(CON_SERIAL, "    ok %d %s\n", i, c->name);
				total_pass++;
			}
		}
		printk_on(CON_SERIAL, "%s %d %s\n", suite_failed ? "not ok" : "ok", ++index, s->name);
		printk_on(CON_SCREEN, "self-test %-20s %s\n", s->name, suite_failed ? "FAILED" : "ok");
	}
	printk("self-tests: %d passed, %d failed, %d skipped\n", total_pass, total_fail, total_skip);
	return total_fail;
}
