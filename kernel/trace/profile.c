/*
 * The function profiler: a shadow-stack user (like the graph tracer in
 * fgraph.c) whose entry notes the time and the function's row, and whose
 * return adds the duration to that row. Not compiled with -pg: its
 * callbacks run on every hit of every profiled function.
 */
#include "kernel/compiler.h"
#include "kernel/trace/profile.h"
#include "kernel/cmdline.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/kallsyms.h"
#include "kernel/mm/mm.h"
#include "kernel/probes/fentry.h"
#include "kernel/probes/shadow_stack.h"
#include "kernel/tsc.h"
#include "lib/format.h"
#include "lib/string.h"

static struct profile_stat *table;	/* row i: the function of fentry site i */
static unsigned long rows;
static char glob[PROFILE_GLOB_MAX];
static unsigned long functions;
static int running;

struct profile_frame {
	uint64_t entry_tsc;
	unsigned long row;
};

static __noprobe int profile_entry(struct shadow_user *u, unsigned long func,
				   struct pt_regs *regs, unsigned long *data)
{
	struct profile_frame *f = (struct profile_frame *)data;
	long row = fentry_site_index(func);

	(void)u;
	(void)regs;
	if (row < 0)
		return 0;
	f->row = (unsigned long)row;
	f->entry_tsc = rdtsc();
	return 1;
}

static __noprobe void profile_return(struct shadow_user *u, unsigned long func,
				     struct pt_regs *regs, unsigned long *data)
{
	struct profile_frame *f = (struct profile_frame *)data;
	uint64_t t = rdtsc() - f->entry_tsc;
	struct profile_stat *s = &table[f->row];

	(void)u;
	(void)func;
	(void)regs;
	s->hits++;
	s->total += t;
	if (t > s->max)
		s->max = t;
}

static struct shadow_user profile_user = {
	.name = "profile",
	.entry = profile_entry,
	.ret = profile_return,
	.data_words = sizeof(struct profile_frame) / sizeof(unsigned long),
	.id = -1,
};

int profile_init(void)
{
	rows = fentry_site_count();
	table = kzalloc(rows * sizeof(*table));
	if (!table)
		rows = 0;
	return table ? 0 : -ENOMEM;
}

static int matches(unsigned long addr, const char *g)
{
	unsigned long off;
	const char *name = sym_lookup(addr, &off, NULL);

	return name && off == 0 && glob_match(g, name) && fentry_site_index(addr) >= 0;
}

int profile_start(const char *g)
{
	unsigned long n = 0;
	int err;

	if (!g[0] || strlen(g) >= sizeof(glob))
		return -EINVAL;
	if (!table)
		return -ENOMEM;
	for (unsigned long i = 0; i < rows; i++)
		n += matches(fentry_site_addr(i), g);
	if (!n)
		return -ENOENT;
	profile_stop();
	memset(table, 0, rows * sizeof(*table));
	strlcpy(glob, g, sizeof(glob));
	functions = 0;
	err = shadow_user_register(&profile_user);
	if (err)
		return err;
	for (unsigned long i = 0; i < rows; i++) {
		unsigned long addr = fentry_site_addr(i);

		if (matches(addr, glob) && fentry_add_shadow_user(addr, profile_user.id) == 0)
			functions++;
	}
	running = 1;
	return 0;
}

/* notrace: mode=trace stops the profiler while the graph tracer still runs. */
notrace void profile_stop(void)
{
	int id = profile_user.id;

	if (!running)
		return;
	/* Silent first: unpatching calls profiled code (text_poke's memcpy). */
	shadow_user_unregister(&profile_user);
	for (unsigned long i = 0; i < rows; i++)
		fentry_remove_shadow_user(fentry_site_addr(i), id);
	running = 0;
}

int profile_running(void)
{
	return running;
}

const char *profile_glob(void)
{
	return glob;
}

unsigned long profile_functions(void)
{
	return functions;
}

int profile_get(unsigned long func, struct profile_stat *st)
{
	long row = fentry_site_index(func);

	if (row < 0 || !table)
		return -ENOENT;
	*st = table[row];
	return 0;
}

/* ---- the table ----------------------------------------------------------- */

/* Times as shown: ns when the TSC rate is known, raw counts under icount. */
static const char *unit(void)
{
	return kopt.icount ? "instructions" : tsc.hz ? "ns" : "cycles";
}

static uint64_t shown(uint64_t tsc_units)
{
	return kopt.icount || !tsc.hz ? tsc_units : tsc_cycles_to_ns(tsc_units);
}

struct row {
	unsigned long site;
	struct profile_stat st;
};

void profile_show(trace_out_fn out, void *ctx)
{
	char line[160];
	struct row *r;
	unsigned long n = 0;

	if (!glob[0]) {
		out("profile: nothing profiled yet (profile GLOB)", ctx);
		return;
	}
	/* A snapshot, sorted by total (insertion sort: a few hundred rows). */
	r = kmalloc((rows ? rows : 1) * sizeof(*r));
	if (!r) {
		out("profile: out of memory for the table", ctx);
		return;
	}
	for (unsigned long i = 0; i < rows; i++) {
		struct row x = { i, table[i] };
		unsigned long j;

		if (!x.st.hits)
			continue;
		for (j = n++; j > 0 && r[j - 1].st.total < x.st.total; j--)
			r[j] = r[j - 1];
		r[j] = x;
	}
	snprintf(line, sizeof(line), "# profile: '%s', %lu functions hooked%s, %lu called; times in %s",
		 glob, functions, running ? "" : " (stopped)", n, unit());
	out(line, ctx);
	snprintf(line, sizeof(line), "  %-32s %10s %16s %14s %14s", "Function", "Hit", "Total", "Avg", "Max");
	out(line, ctx);
	snprintf(line, sizeof(line), "  %-32s %10s %16s %14s %14s", "--------", "---", "-----", "---", "---");
	out(line, ctx);
	for (unsigned long i = 0; i < n; i++) {
		const char *name = sym_lookup(fentry_site_addr(r[i].site), NULL, NULL);
		uint64_t total = shown(r[i].st.total);

		snprintf(line, sizeof(line), "  %-32s %10lu %16llu %14llu %14llu", name ? name : "?",
			 r[i].st.hits, (unsigned long long)total,
			 (unsigned long long)(total / r[i].st.hits),
			 (unsigned long long)shown(r[i].st.max));
		out(line, ctx);
	}
	if (profile_user.missed) {
		snprintf(line, sizeof(line), "# %lu calls not timed: shadow stack full", profile_user.missed);
		out(line, ctx);
	}
	kfree(r);
}
