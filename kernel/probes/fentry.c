/*
 * fentry sites, the ftrace_ops registry and the site handlers, the C side
 * of the per-site stubs fentry_callers (fentry_stub.S). Not compiled with
 * -pg: nothing here may call __fentry__ (kernel/notrace.list).
 */
#include "kernel/probes/fentry.h"
#include "kernel/probes/fentry_stubs.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/kallsyms.h"
#include "kernel/mm/mm.h"
#include "kernel/probes/shadow_stack.h"
#include "kernel/smp/smp.h"
#include "kernel/mm/text_poke.h"
#include "lib/string.h"

#define MAX_SITES	FENTRY_MAX_SITES
#define HASH_SIZE	(2 * MAX_SITES)	/* open addressing, power of two */

struct fentry_site;
typedef int __trampoline_handler site_call_t(struct pt_regs *regs, struct fentry_site *s);

/* The descriptor site i's stub pushes: the trampoline calls s->call(regs, s). */
struct fentry_site {
	/* What a hit does, chosen when the site's users change (site_set_call). */
	site_call_t *call;
	unsigned long ip;
	struct ftrace_ops **ops;	/* NULL-terminated, kmalloc'd; NULL: none */
	uint32_t shadow_users;		/* bitmap of shadow-stack users */
	uint16_t nr_ops;
	uint8_t bad : 1;		/* not a `call __fentry__`: never patched */
	uint8_t enabled : 1;		/* currently `call` its stub */
	uint8_t floor : 1;		/* enabled with no users (fentry_set_floor) */
} __attribute__((aligned(FENTRY_SITE_SIZE)));
_Static_assert(sizeof(struct fentry_site) == FENTRY_SITE_SIZE, "fentry_stubs.h: FENTRY_SITE_SIZE");

extern const unsigned long __start_mcount_loc[], __stop_mcount_loc[];
void __fentry__(void);
extern const char fentry_callers[];	/* fentry_stub.S: stub i pushes &fentry_sites[i] */

static site_call_t site_call_none;

static __noprobe void nop_func(unsigned long ip, unsigned long parent_ip, struct ftrace_ops *ops,
			       struct pt_regs *regs)
{
	(void)ip, (void)parent_ip, (void)ops, (void)regs;
}

/* A site's ops once its last one is gone: a late site_call_one calls nothing. */
static struct ftrace_ops nop_ops = { .func = nop_func };
static struct ftrace_ops *no_ops[] = { &nop_ops, NULL };

struct fentry_site fentry_sites[MAX_SITES];	/* sorted by ip once at boot, then fixed */
static struct fentry_site *site_hash[HASH_SIZE];	/* open addressing by ip */
static unsigned long nr_sites;
static struct fentry_stats stats;
DEFINE_PER_CPU(int, hook_active);
static DEFINE_PER_CPU(unsigned long, recursion_misses);	/* summed in fentry_get_stats */

static const uint8_t nop5[FENTRY_CALL_SIZE] = { 0x0f, 0x1f, 0x44, 0x00, 0x00 };

static unsigned hash_ip(unsigned long ip)
{
	return (unsigned)((ip * 0x9e3779b1u) >> 7) & (HASH_SIZE - 1);
}

static __noprobe struct fentry_site *site_lookup(unsigned long ip)
{
	for (unsigned h = hash_ip(ip);; h = (h + 1) & (HASH_SIZE - 1)) {
		struct fentry_site *s = site_hash[h];

		if (!s || s->ip == ip)
			return s;
	}
}

static void make_call(uint8_t insn[FENTRY_CALL_SIZE], unsigned long site, void (*target)(void))
{
	int32_t rel = (int32_t)((unsigned long)target - (site + FENTRY_CALL_SIZE));

	insn[0] = 0xe8;
	memcpy(insn + 1, &rel, 4);
}

/*
 * Patch a site to match its users: `call` its stub when it has any,
 * the 5-byte nop otherwise. Live code: the int3 protocol of text_poke_bp.
 */
static int site_update(struct fentry_site *s)
{
	uint8_t insn[FENTRY_CALL_SIZE];
	int want = s->nr_ops || s->shadow_users || s->floor;
	int err;

	if (want == s->enabled)
		return 0;
	if (want)
		make_call(insn, s->ip, (void (*)(void))(fentry_callers + (s - fentry_sites) * FENTRY_STUB_SIZE));
	else
		memcpy(insn, nop5, sizeof(insn));
	err = text_poke_bp((void *)s->ip, insn, FENTRY_CALL_SIZE, NULL);
	if (err)
		return err;
	s->enabled = want;
	stats.enabled += want ? 1 : -1;
	return 0;
}

static int cmp_ulong(unsigned long a, unsigned long b)
{
	return a < b ? -1 : a > b;
}

/* Insertion sort: the section is nearly sorted already (link order). */
static void sort_sites(void)
{
	for (unsigned long i = 1; i < nr_sites; i++) {
		struct fentry_site s = fentry_sites[i];
		unsigned long j = i;

		while (j > 0 && cmp_ulong(fentry_sites[j - 1].ip, s.ip) > 0) {
			fentry_sites[j] = fentry_sites[j - 1];
			j--;
		}
		fentry_sites[j] = s;
	}
}

void ftrace_init(void)
{
	unsigned long n = __stop_mcount_loc - __start_mcount_loc;
	uint8_t expect[FENTRY_CALL_SIZE];

	if (n > MAX_SITES) {
		printk("fentry: %lu sites, only %d handled\n", n, MAX_SITES);
		n = MAX_SITES;
	}
	for (unsigned long i = 0; i < n; i++)
		fentry_sites[nr_sites++].ip = __start_mcount_loc[i];
	sort_sites();
	for (unsigned long i = 0; i < nr_sites; i++) {
		struct fentry_site *s = &fentry_sites[i];

		make_call(expect, s->ip, __fentry__);
		if (memcmp((void *)s->ip, expect, FENTRY_CALL_SIZE) ||
		    text_poke((void *)s->ip, nop5, FENTRY_CALL_SIZE)) {
			s->bad = 1;
			stats.bad_sites++;
			continue;
		}
		s->call = site_call_none;
		for (unsigned h = hash_ip(s->ip);; h = (h + 1) & (HASH_SIZE - 1))
			if (!site_hash[h]) {
				site_hash[h] = s;
				break;
			}
	}
	stats.sites = nr_sites;
	printk("fentry: %lu sites patched to nops%s\n", nr_sites - stats.bad_sites,
	       stats.bad_sites ? " (some sites were not calls to __fentry__)" : "");
}

/*
 * A hit: site i's stub pushed &sites[i], the trampoline calls s->call(regs,
 * s), one function per shape of the site's users so the common cases (one
 * callback; return hooks only) do no lookup and no list walking. regs->ip
 * comes in at the site (the function's first instruction); regs->sp points
 * at the function's return address. Hooks do not nest: a traced function
 * called by a hook only counts a recursion miss.
 */
static inline __attribute__((always_inline)) int site_enter(struct pt_regs *regs, struct fentry_site *s)
{
	regs->ip = s->ip + FENTRY_CALL_SIZE;
	if (unlikely(this_cpu_read(hook_active))) {
		this_cpu_inc(recursion_misses);
		return 0;
	}
	this_cpu_write(hook_active, 1);
	this_cpu_inc(cpu_hits);
	return 1;
}

static inline __attribute__((always_inline)) int site_leave(void)
{
	this_cpu_write(hook_active, 0);
	return TRAMPOLINE_FLAGS_DEAD;
}

/* No users (being switched, or the benchmark's trampoline_floor): only go on. */
static __noprobe __trampoline_handler int site_call_none(struct pt_regs *regs, struct fentry_site *s)
{
	regs->ip = s->ip + FENTRY_CALL_SIZE;
	return TRAMPOLINE_CLEAN_RET;	/* regs->ip is the CALL's RET-IP */
}

static inline __attribute__((always_inline)) int call_one(struct pt_regs *regs, struct fentry_site *s,
							  int done)
{
	struct ftrace_ops *op = s->ops[0];

	if (!site_enter(regs, s))
		return TRAMPOLINE_CLEAN_RET;
	counter_inc(&op->hits);
	op->func(s->ip, *(unsigned long *)regs->sp, op, regs);
	site_leave();
	return done;
}

static __noprobe __trampoline_handler int site_call_one(struct pt_regs *regs, struct fentry_site *s)
{
	return call_one(regs, s, TRAMPOLINE_FLAGS_DEAD);
}

/* The same for an ops whose callback changes no register (regs_const). */
static __noprobe __trampoline_handler int site_call_one_const(struct pt_regs *regs, struct fentry_site *s)
{
	return call_one(regs, s, TRAMPOLINE_CLEAN_RET);
}

static inline __attribute__((always_inline)) int call_shadow(struct pt_regs *regs, struct fentry_site *s,
							     int done)
{
	if (!site_enter(regs, s))
		return TRAMPOLINE_CLEAN_RET;
	shadow_stack_enter(s->ip, regs, s->shadow_users);
	site_leave();
	return done;
}

static __noprobe __trampoline_handler int site_call_shadow(struct pt_regs *regs, struct fentry_site *s)
{
	return call_shadow(regs, s, TRAMPOLINE_FLAGS_DEAD);
}

/* The same when every shadow user is regs_const. */
static __noprobe __trampoline_handler int site_call_shadow_const(struct pt_regs *regs, struct fentry_site *s)
{
	return call_shadow(regs, s, TRAMPOLINE_CLEAN_RET);
}

static __noprobe __trampoline_handler int site_call_all(struct pt_regs *regs, struct fentry_site *s)
{
	unsigned long parent_ip = *(unsigned long *)regs->sp;
	struct ftrace_ops **ops = *(struct ftrace_ops **volatile *)&s->ops;	/* once */

	if (!site_enter(regs, s))
		return TRAMPOLINE_FLAGS_DEAD;
	for (struct ftrace_ops **op = ops; op && *op; op++) {
		counter_inc(&(*op)->hits);
		(*op)->func(s->ip, parent_ip, *op, regs);
	}
	if (s->shadow_users)
		shadow_stack_enter(s->ip, regs, s->shadow_users);
	return site_leave();
}

static void site_set_call(struct fentry_site *s)
{
	if (s->nr_ops == 0)
		s->call = !s->shadow_users ? site_call_none :
			  shadow_users_change_regs(s->shadow_users) ? site_call_shadow : site_call_shadow_const;
	else if (s->nr_ops == 1 && !s->shadow_users)
		s->call = s->ops[0]->regs_const ? site_call_one_const : site_call_one;
	else
		s->call = site_call_all;
}

/* Replace a site's ops array with one more or one fewer entry. */
static int site_set_ops(struct fentry_site *s, struct ftrace_ops *add, struct ftrace_ops *remove)
{
	unsigned n = s->nr_ops + (add ? 1 : 0);
	struct ftrace_ops **ops = NULL, **old = s->ops;
	unsigned k = 0;

	/* From inside a hook the array may be the one being walked: refuse. */
	if (this_cpu_read(hook_active))
		return -EBUSY;

	if (n) {
		ops = kmalloc((n + 1) * sizeof(*ops));
		if (!ops)
			return -ENOMEM;
		for (unsigned i = 0; i < s->nr_ops; i++)
			if (s->ops[i] != remove)
				ops[k++] = s->ops[i];
		if (add)
			ops[k++] = add;
		ops[k] = NULL;
		if (!k) {
			kfree(ops);
			ops = NULL;
		}
	}
	/*
	 * Never NULL once a site had ops: a CPU may have loaded s->call
	 * (site_call_one) before the change and read s->ops after it.
	 */
	if (!ops && old)
		ops = no_ops;
	/*
	 * Other CPUs may be in a hit of this site now: site_call_all serves
	 * the old and the new array alike (it reads s->ops once), so switch
	 * to it, publish the array, then pick the specialised call. The old
	 * array is retired, freed once no CPU can still be walking it.
	 */
	s->call = site_call_all;
	barrier();
	s->ops = ops;
	s->nr_ops = (uint16_t)k;
	barrier();
	site_set_call(s);
	if (old != no_ops)
		retire_kfree(old);	/* another CPU may be walking it */
	return 0;
}

static int site_has_ops(const struct fentry_site *s, const struct ftrace_ops *ops)
{
	for (unsigned i = 0; i < s->nr_ops; i++)
		if (s->ops[i] == ops)
			return 1;
	return 0;
}

static int site_matches(const struct fentry_site *s, const char *filter)
{
	unsigned long off;
	const char *name;

	if (s->bad)
		return 0;
	if (!filter)
		return 1;
	name = sym_lookup(s->ip, &off, NULL);
	return name && off == 0 && glob_match(filter, name);
}

static int attach(struct ftrace_ops *ops, struct fentry_site *s)
{
	int err = site_set_ops(s, ops, NULL);

	if (!err)
		err = site_update(s);
	if (!err)
		ops->nr_sites++;
	return err;
}

int ftrace_ops_register(struct ftrace_ops *ops)
{
	int err = 0;

	if (!ops->func)
		return -EINVAL;
	if (ops->registered)
		return -EEXIST;
	ops->nr_sites = 0;
	ops->registered = 1;
	for (unsigned long i = 0; i < nr_sites && !err; i++)
		if (site_matches(&fentry_sites[i], ops->filter))
			err = attach(ops, &fentry_sites[i]);
	if (err || !ops->nr_sites) {
		ftrace_ops_unregister(ops);
		return err ? err : -ENOENT;
	}
	retire_flush();
	return 0;
}

int ftrace_ops_register_ip(struct ftrace_ops *ops, unsigned long addr)
{
	struct fentry_site *s = site_lookup(addr);
	int err;

	if (!ops->func)
		return -EINVAL;
	if (ops->registered)
		return -EEXIST;
	if (!s || s->bad)
		return -ENOENT;
	ops->nr_sites = 0;
	ops->registered = 1;
	err = attach(ops, s);
	if (err)
		ftrace_ops_unregister(ops);
	retire_flush();
	return err;
}

int ftrace_ops_unregister(struct ftrace_ops *ops)
{
	if (!ops->registered)
		return -ENOENT;
	if (this_cpu_read(hook_active))
		return -EBUSY;
	for (unsigned long i = 0; i < nr_sites; i++) {
		struct fentry_site *s = &fentry_sites[i];

		if (!site_has_ops(s, ops))
			continue;
		/* Shrinking never allocates more than it frees: retry cannot be needed. */
		if (site_set_ops(s, NULL, ops) == 0)
			site_update(s);
	}
	ops->registered = 0;
	ops->nr_sites = 0;
	retire_flush();		/* also: no CPU is still in ops->func when this returns */
	return 0;
}

int fentry_add_shadow_user(unsigned long addr, unsigned bit)
{
	struct fentry_site *s = site_lookup(addr);
	int err;

	if (!s || s->bad)
		return -ENOENT;
	if (s->shadow_users & (1u << bit))
		return -EEXIST;
	s->shadow_users |= 1u << bit;
	site_set_call(s);
	err = site_update(s);
	if (err) {
		s->shadow_users &= ~(1u << bit);
		site_set_call(s);
	}
	return err;
}

void fentry_remove_shadow_user(unsigned long addr, unsigned bit)
{
	struct fentry_site *s = site_lookup(addr);

	if (!s || !(s->shadow_users & (1u << bit)))
		return;
	s->shadow_users &= ~(1u << bit);
	site_set_call(s);
	site_update(s);
}

void fentry_get_stats(struct fentry_stats *s)
{
	*s = stats;
	for (int c = 0; c < nr_cpus; c++)
		s->recursion_misses += *per_cpu_ptr(&recursion_misses, c);
}

int fentry_set_floor(unsigned long addr, int on)
{
	struct fentry_site *s = site_lookup(addr);
	int err;

	if (!s || s->bad)
		return -ENOENT;
	if (on && (s->nr_ops || s->shadow_users || s->floor))
		return -EBUSY;
	s->floor = !!on;
	err = site_update(s);
	if (err)
		s->floor = 0;
	if (!on)
		retire_flush();
	return err;
}

int fentry_site_exists(unsigned long addr)
{
	struct fentry_site *s = site_lookup(addr);

	return s && !s->bad;
}

unsigned long fentry_site_count(void)
{
	return nr_sites;
}

unsigned long fentry_site_addr(unsigned long i)
{
	return i < nr_sites ? fentry_sites[i].ip : 0;
}

/* Hooks call this (the profiler's table index): one hash probe. */
__noprobe long fentry_site_index(unsigned long addr)
{
	struct fentry_site *s = site_lookup(addr);

	return s ? s - fentry_sites : -1;
}
