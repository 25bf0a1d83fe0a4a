/*
 * In-kernel self-tests. Suites register themselves with KTEST_SUITE(); in
 * mode=test they run in link order and print KTAP on serial.
 *
 *	static void test_add(struct ktest *t) { KEXPECT_EQ(t, 1 + 1, 2); }
 *	static const struct ktest_case cases[] = { { "add", test_add }, { 0 } };
 *	static const struct ktest_suite math = { "math", cases };
 *	KTEST_SUITE(math);
 */
#ifndef KERNEL_KTEST_H
#define KERNEL_KTEST_H
#include "kernel/compiler.h"

struct ktest {
	const char *suite, *name;
	int failed;
	const char *skip_reason;
	int checks;
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;	/* ends with a { 0 } entry */
	/* Optional: a reason to skip every case of the suite in this boot, or NULL. */
	const char *(*skip)(void);
};

#define KTEST_SUITE(s) \
	static const struct ktest_suite *const ktest_ptr_##s __used \
	__attribute__((section(".ktest_suites"))) = &s

/* Record a check; on failure print a KTAP diagnostic. Returns cond. */
int ktest_check(struct ktest *t, int cond, const char *expr, const char *file, int line);
int ktest_check_eq(struct ktest *t, unsigned long long a, unsigned long long b,
		   const char *ea, const char *eb, const char *file, int line);
void ktest_skip(struct ktest *t, const char *reason);
void ktest_log(struct ktest *t, const char *fmt, ...) __printf(2, 3);

#define KEXPECT(t, cond) ktest_check((t), !!(cond), #cond, __FILE__, __LINE__)
#define KEXPECT_EQ(t, a, b) \
	ktest_check_eq((t), (unsigned long long)(a), (unsigned long long)(b), #a, #b, __FILE__, __LINE__)

/* A suite .skip for tests that need the hook machinery to themselves (hook_all=1). */
const char *ktest_skip_if_hook_all(void);

/* Run every suite whose name (or suite.case) matches the glob; returns failures. */
int ktest_run_all(const char *filter);

#endif
