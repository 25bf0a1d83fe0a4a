/* Self-tests of the symbol table and of frame-pointer backtraces. */
#include "kernel/kallsyms.h"
#include "kernel/ktest.h"
#include "kernel/unwind.h"
#include "lib/format.h"
#include "lib/string.h"

struct round_trip {
	struct ktest *t;
	unsigned long checked, aliases, duplicates, bad;
};

/* Every symbol: by name (unless its name repeats) and by address. */
static int check_symbol(const char *name, unsigned long addr, unsigned long size, void *ctx)
{
	struct round_trip *rt = ctx;
	unsigned long off = ~0ul, sz = 0, by_name = sym_addr(name);
	const char *found;

	if (!size)
		return 0;
	rt->checked++;
	found = sym_lookup(addr, &off, &sz);
	if (!found || off != 0) {
		if (rt->bad++ < 5)
			ktest_log(rt->t, "%s at %#lx: lookup gave %s+%#lx", name, addr, found ? found : "NULL", off);
		return 0;
	}
	if (strcmp(found, name))
		rt->aliases++;		/* another symbol at the same address */
	else if (sz != size && rt->bad++ < 5)
		ktest_log(rt->t, "%s: size %#lx, lookup says %#lx", name, size, sz);
	if (by_name != addr) {
		/* only right if an earlier symbol has the same (local) name */
		const char *other = by_name ? sym_lookup(by_name, &off, NULL) : NULL;

		if (other && off == 0 && by_name < addr && sym_addr(name) == by_name)
			rt->duplicates++;
		else if (rt->bad++ < 5)
			ktest_log(rt->t, "%s at %#lx: sym_addr gave %#lx", name, addr, by_name);
	}
	return 0;
}

static void test_round_trip(struct ktest *t)
{
	struct round_trip rt = { t, 0, 0, 0, 0 };

	KEXPECT(t, sym_count() > 100);
	KEXPECT_EQ(t, sym_for_each(check_symbol, &rt), 0);
	ktest_log(t, "%lu symbols checked (%lu aliases, %lu repeated local names)",
		  rt.checked, rt.aliases, rt.duplicates);
	KEXPECT(t, rt.checked > 100);
	KEXPECT_EQ(t, rt.bad, 0);
}

static __noinline int known_function(int x)
{
	return x * 3 + 1;
}

static void test_lookup(struct ktest *t)
{
	unsigned long a = (unsigned long)known_function, off = 0, size = 0;
	const char *name = sym_lookup(a + 1, &off, &size);

	KEXPECT(t, name && !strcmp(name, "known_function"));
	KEXPECT_EQ(t, off, 1);
	KEXPECT(t, size > 1);
	KEXPECT(t, (name = sym_lookup(a + size - 1, &off, NULL)) && !strcmp(name, "known_function"));
	KEXPECT_EQ(t, sym_addr("known_function"), a);
	KEXPECT(t, sym_addr("kmain") != 0);
	KEXPECT_EQ(t, sym_addr("no_such_symbol_anywhere"), 0);
	KEXPECT_EQ(t, sym_addr(""), 0);
	KEXPECT(t, sym_lookup(0, NULL, NULL) == NULL);
	KEXPECT(t, sym_lookup(~0ul, NULL, NULL) == NULL);
	KEXPECT_EQ(t, known_function(1), 4);
}

static void test_format(struct ktest *t)
{
	char buf[96], want[96];
	unsigned long a = (unsigned long)known_function, size = 0;

	sym_lookup(a, NULL, &size);
	snprintf(want, sizeof(want), "known_function+0x3/0x%lx", size);
	KEXPECT_EQ(t, sym_format(buf, sizeof(buf), a + 3), (long)strlen(want));
	KEXPECT(t, !strcmp(buf, want));
	sym_format(buf, sizeof(buf), a);
	KEXPECT(t, str_starts_with(buf, "known_function+0x0/"));
	sym_format(buf, sizeof(buf), 0x10);
	KEXPECT(t, !strcmp(buf, "0x10"));
	/* truncation stays NUL-terminated */
	sym_format(buf, 8, a);
	KEXPECT(t, !strcmp(buf, "known_f"));
}

static int count_until(const char *name, unsigned long addr, unsigned long size, void *ctx)
{
	(void)name, (void)addr, (void)size;
	return ++*(unsigned long *)ctx == 10 ? 7 : 0;
}

static int count_all(const char *name, unsigned long addr, unsigned long size, void *ctx)
{
	unsigned long *prev = ctx;

	(void)name, (void)size;
	if (addr < prev[1])
		prev[2]++;		/* out of order */
	prev[1] = addr;
	prev[0]++;
	return 0;
}

static void test_for_each(struct ktest *t)
{
	unsigned long n = 0, all[3] = { 0, 0, 0 };

	KEXPECT_EQ(t, sym_for_each(count_until, &n), 7);	/* stops, returns fn's value */
	KEXPECT_EQ(t, n, 10);
	KEXPECT_EQ(t, sym_for_each(count_all, all), 0);
	KEXPECT_EQ(t, all[0], sym_count());
	KEXPECT_EQ(t, all[2], 0);				/* sorted by address */
}

/* ---- a backtrace of a known call chain ---- */

#define MAX_FRAMES 16

struct frames {
	int n;
	unsigned long ip[MAX_FRAMES];
};

static int record_frame(unsigned long ip, const struct pt_regs *regs, void *ctx)
{
	struct frames *f = ctx;

	(void)regs;
	f->ip[f->n++] = ip;
	return f->n == MAX_FRAMES;
}

/* noipa: no inlining, cloning or tail calls, so the names stay as written */
static __attribute__((noipa)) void capture(struct frames *f)
{
	/* start at our caller: its ip is our return address, its bp our saved bp */
	f->n = 0;
	unwind_walk((unsigned long)__builtin_return_address(0), *(unsigned long *)__builtin_frame_address(0),
		    record_frame, f);
}

static __attribute__((noipa)) int chain_c(struct frames *f)
{
	capture(f);
	return 1;
}

static __attribute__((noipa)) int chain_b(struct frames *f)
{
	return chain_c(f) + 1;
}

static __attribute__((noipa)) int chain_a(struct frames *f)
{
	return chain_b(f) + 1;
}

static const char *name_of(unsigned long ip)
{
	const char *name = sym_lookup(ip, NULL, NULL);

	return name ? name : "?";
}

static __attribute__((noipa)) void test_backtrace(struct ktest *t)
{
	struct frames f = { 0 };

	KEXPECT_EQ(t, chain_a(&f), 3);
	for (int i = 0; i < f.n; i++)
		ktest_log(t, "frame %d: %s", i, name_of(f.ip[i]));
	KEXPECT(t, f.n >= 5);
	KEXPECT(t, !strcmp(name_of(f.ip[0]), "chain_c"));
	KEXPECT(t, !strcmp(name_of(f.ip[1]), "chain_b"));
	KEXPECT(t, !strcmp(name_of(f.ip[2]), "chain_a"));
	KEXPECT(t, !strcmp(name_of(f.ip[3]), "test_backtrace"));
	KEXPECT(t, f.n < MAX_FRAMES);				/* ends at the boot frame */
}

static const struct ktest_case kallsyms_cases[] = {
	{ "round_trip", test_round_trip },
	{ "lookup", test_lookup },
	{ "format", test_format },
	{ "for_each", test_for_each },
	{ "backtrace", test_backtrace },
	{ 0 },
};

static const struct ktest_suite kallsyms_suite = { "kallsyms", kallsyms_cases, NULL };
KTEST_SUITE(kallsyms_suite);
