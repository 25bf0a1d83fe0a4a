/*
 * kprobes: registration, the address hash table and the #BP hit path (see
 * kprobes.h). How an instruction is emulated or copied is kprobes_insn.c's.
 *
 * A hit: #BP at a site -> pre_handlers -> the instruction (emulated here,
 * or iret to its slot: boosted slots jmp back, single-step slots end in an
 * int3 that comes back here for the post_handlers). An optimized site
 * (optprobes.c) is hit through its detour and the trampoline instead:
 * optprobe_handler. The per-CPU state kcb says whether a handler runs (a
 * hit then only counts a miss and executes the instruction) and which slot
 * is being single-stepped.
 *
 * Probe machinery: every function here is __noprobe (kprobes refuse to
 * probe them) and the file is in notrace.list. Registration calls
 * probe-able code (kmalloc, printk, the decoder) only before it changes
 * anything, so a probe hit from inside it finds consistent tables.
 */
#include "kernel/probes/kprobes_internal.h"
#include "kernel/dev/console.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/probes/fentry.h"
#include "kernel/kallsyms.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/text_poke.h"
#include "kernel/smp/smp.h"
#include "kernel/traps.h"

#define INT3		0xcc
#define MIN_BITS	8	/* 256 buckets to start with */

extern char __text_start[], __text_end[], __noprobe_start[], __noprobe_end[];

/* Chained hash table; grows (never shrinks) to keep at most one site per bucket on average. */
struct ktable {
	unsigned bits, shift;		/* shift = ARCH_BITS - bits */
	struct kprobe_site *bucket[];
};

static struct ktable *table;
static unsigned long nr_sites, nr_probes;
static struct kprobe_site *graveyard;	/* unregistered, freed when no hit is in progress */

/* Each CPU's hit in progress (per CPU: kernel/smp/percpu.h). */
static DEFINE_PER_CPU(struct {
	struct kprobe *running;		/* the probe whose handler runs */
	struct kprobe_site *step;	/* the site whose slot is single-stepping */
	unsigned long step_ret;		/* regs->ip at that slot's trailing int3 */
	unsigned long step_if;		/* IF to give back after the step */
	int step_quiet;			/* reentrant hit: no post_handlers */
	struct kprobe_site *ftrace_site;	/* the fentry site whose callback runs */
}, kcb);

/* An fentry site whose ops could not change while fentry walked them. */
static struct kprobe_site *ftrace_pending;

/* Fibonacci hashing: the top bits of addr times 2^ARCH_BITS / phi. */
static inline __attribute__((always_inline)) unsigned long hash_addr(unsigned long a, unsigned shift)
{
#if ARCH_BITS == 64
	return (a * 0x9e3779b97f4a7c15ul) >> shift;
#else
	return (a * 0x9e3779b1ul) >> shift;
#endif
}

static inline __attribute__((always_inline)) struct kprobe_site *site_find(unsigned long addr)
{
	const struct ktable *t = table;
	struct kprobe_site *s = t->bucket[hash_addr(addr, t->shift)];

	while (s && s->addr != addr)
		s = s->hnext;
	return s;
}

/* ---- the hit path ---- */

/* p's pre_handler, as the running one: nonzero when it redirected. */
static inline __attribute__((always_inline)) int call_pre(struct kprobe *p, struct pt_regs *regs)
{
	int redirected;

	this_cpu_write(kcb.running, p);
	redirected = p->pre_handler(p, regs);
	this_cpu_write(kcb.running, NULL);
	return redirected;
}

static __noprobe void post_handlers(struct kprobe_site *s, struct pt_regs *regs)
{
	for (struct kprobe *p = s->probes; p; p = p->next) {
		if (p->post_handler && !p->disabled && p->site == s) {
			this_cpu_write(kcb.running, p);
			p->post_handler(p, regs);
		}
	}
	this_cpu_write(kcb.running, NULL);
}

/* Execute the instruction: emulate it, or send the CPU to its slot. */
static inline __attribute__((always_inline)) void run_insn(struct kprobe_site *s, struct pt_regs *regs,
							     int quiet)
{
	if (likely(s->kind == KP_BOOST)) {
		regs->ip = (unsigned long)s->slot;
	} else if (s->kind == KP_EMULATE) {
		kp_emulate(s, regs);
		if (!quiet && s->post)
			post_handlers(s, regs);
	} else if (s->kind == KP_SSTEP) {
		/* No interrupt between here and the slot's int3: kcb is one deep. */
		this_cpu_write(kcb.step, s);
		this_cpu_write(kcb.step_ret, (unsigned long)s->slot + s->len + 1);
		this_cpu_write(kcb.step_if, regs->flags & FLAGS_IF);
		this_cpu_write(kcb.step_quiet, quiet);
		regs->flags &= ~FLAGS_IF;
		regs->ip = (unsigned long)s->slot;
	} else if (s->kind == KP_OPT) {
		/* being optimized (optprobes.c): the detour's copy, never back into its 5 bytes */
		regs->ip = (unsigned long)s->opt->slot + OPT_CALL_SIZE;
	} else {
		kp_emulate(s, regs);	/* KP_FTRACE: its 5-byte nop */
		if (!quiet && s->post)
			post_handlers(s, regs);
	}
}

/* The int3 after a single-stepped copy: back to the original code. */
static __noprobe int step_done(struct pt_regs *regs)
{
	struct kprobe_site *s = this_cpu_read(kcb.step);

	this_cpu_write(kcb.step, NULL);
	regs->ip = s->addr + s->len;
	regs->flags |= this_cpu_read(kcb.step_if);
	if (!this_cpu_read(kcb.step_quiet))
		post_handlers(s, regs);
	return 1;
}

/*
 * Everything but the common case: a chain, a disabled probe, a reentrant
 * hit. copy: nonzero when the hit came through a detour (optprobes.c),
 * whose copy of the instruction(s) then runs instead of run_insn's way.
 */
static __noprobe __noinline int hit_slow(struct kprobe_site *s, struct pt_regs *regs, unsigned long copy)
{
	struct kprobe *p, *next;

	if (this_cpu_read(kcb.running)) {
		/* A handler is running: count a miss, run the instruction bare. */
		for (p = s->probes; p; p = p->next)
			if (!p->disabled && p->site == s)
				counter_inc(&p->nmissed);
		if (copy)
			regs->ip = copy;
		else
			run_insn(s, regs, 1);
		return 1;
	}
	for (p = s->probes; p; p = next) {
		if (!p->disabled && p->site == s) {
			counter_inc(&p->nhit);
			if (p->pre_handler && call_pre(p, regs))
				return 1;
		}
		next = p->next;		/* after the handler: it may unregister p */
	}
	if (copy)
		regs->ip = copy;
	else
		run_insn(s, regs, 0);
	return 1;
}

/* Not a probed address: the int3 ending a single-step, or not ours. */
static __noprobe __noinline int hit_miss(struct pt_regs *regs)
{
	return this_cpu_read(kcb.step) && regs->ip == this_cpu_read(kcb.step_ret) ? step_done(regs) : 0;
}

/*
 * The #BP hook. The common case, one enabled probe on the address and no
 * handler running, is inline: a hash lookup, the pre_handler, then (boosted)
 * straight to the slot.
 */
static __noprobe int kprobe_int3(struct pt_regs *regs)
{
	unsigned long addr = regs->ip - 1;
	struct kprobe_site *s = site_find(addr);
	struct kprobe *p;

	if (unlikely(!s))
		return hit_miss(regs);
	regs->ip = addr;
	this_cpu_inc(cpu_hits);
	p = s->single;
	if (unlikely(!p || this_cpu_read(kcb.running)))
		return hit_slow(s, regs, 0);
	counter_inc(&p->nhit);
	if (p->pre_handler && call_pre(p, regs))
		return 1;
	run_insn(s, regs, 0);
	return 1;
}

/*
 * An optimized site: the jmp at s->addr led to its detour slot, whose
 * `call optprobe_entry` entered the trampoline with regs->ip = the slot and
 * regs->sp = the probed code's stack pointer. As kprobe_int3 from here,
 * interrupts off like an int3's handlers (the trampoline's popf restores
 * them); then on to the slot's copy of the displaced instructions, always
 * (s->addr's bytes may be half patched: see optprobes.c).
 */
int __noprobe __trampoline_handler optprobe_handler(struct pt_regs *regs)
{
	unsigned long slot = regs->ip;
	struct kprobe_site *s = opt_slot_site(slot);
	struct kprobe *p = s->single;

	irq_disable();
	regs->ip = s->addr;
	this_cpu_inc(cpu_hits);
	if (unlikely(!p || this_cpu_read(kcb.running))) {
		hit_slow(s, regs, slot + OPT_CALL_SIZE);
		return TRAMPOLINE_RESTORE_FLAGS;
	}
	counter_inc(&p->nhit);
	if (p->pre_handler && call_pre(p, regs))
		return TRAMPOLINE_RESTORE_FLAGS;
	regs->ip = slot + OPT_CALL_SIZE;
	/* In the middle of a function: the copied instructions need its flags. */
	return TRAMPOLINE_RESTORE_FLAGS;
}

static struct trap_hook kprobe_hook = { .handler = kprobe_int3 };
static int hooked;

/*
 * A kprobe on an fentry site is an ftrace_ops there (that site's text is
 * fentry.c's to patch), the way Linux puts kprobes on ftrace sites. The
 * site counts as an emulated 5-byte nop: regs->ip comes in past it, the
 * pre_handlers see it at the site, the post_handlers past it again.
 */
static __noprobe void kprobe_ftrace(unsigned long ip, unsigned long parent_ip, struct ftrace_ops *ops,
				    struct pt_regs *regs)
{
	struct kprobe_site *s = ops->private;
	struct kprobe *p = s->single;

	(void)parent_ip;
	this_cpu_write(kcb.ftrace_site, s);
	if (unlikely(!p || this_cpu_read(kcb.running) || s->post)) {
		regs->ip = ip;
		hit_slow(s, regs, 0);
	} else {
		/* the common case: one probe, no post_handler, as kprobe_int3 */
		counter_inc(&p->nhit);
		if (p->pre_handler) {
			regs->ip = ip;
			if (!call_pre(p, regs))
				regs->ip = ip + FENTRY_CALL_SIZE;
		}
	}
	this_cpu_write(kcb.ftrace_site, NULL);
}

/* ---- faults (kernel/fault.c) ---- */

void __noprobe kprobe_fault(struct pt_regs *regs, const struct kprobe *resumes)
{
	struct kprobe_site *s = kp_slot_owner(regs->ip);
	struct kprobe *running = this_cpu_read(kcb.running);
	char where[96];

	if (s && regs->ip == (unsigned long)s->slot) {
		if (this_cpu_read(kcb.step) == s)
			regs->flags |= this_cpu_read(kcb.step_if);
		regs->ip = s->addr;
		sym_format(where, sizeof(where), s->addr);
		printk("kprobes: fault in the out-of-line copy of %s (%#lx): ip shown as the probed address\n",
		       where, s->addr);
	}
	opt_fault(regs);
	if (running && running != resumes) {
		sym_format(where, sizeof(where), running->addr);
		printk("kprobes: fault in a handler of the kprobe at %s (%#lx)\n", where, running->addr);
		running->status = "a handler faulted";
	}
	if (!running || running != resumes)
		this_cpu_write(kcb.ftrace_site, NULL);	/* else that handler, and fentry's walk, go on */
	this_cpu_write(kcb.running, NULL);
	this_cpu_write(kcb.step, NULL);
}

int __noprobe kprobe_cpu_busy(void)
{
	return this_cpu_read(kcb.running) || this_cpu_read(kcb.step) || this_cpu_read(kcb.ftrace_site);
}

struct kprobe *__noprobe kprobe_running(void)
{
	return this_cpu_read(kcb.running);
}

void __noprobe kprobe_set_running(struct kprobe *p)
{
	this_cpu_write(kcb.running, p);
	this_cpu_write(kcb.step, NULL);
}

/* ---- the table ---- */

/* Room for n sites. Allocates before it relinks; the relinking calls nothing. */
static __noprobe int table_reserve(unsigned long n)
{
	unsigned bits = table ? table->bits : MIN_BITS;
	struct ktable *t, *old = table;

	while ((1ul << bits) < n)
		bits++;
	if (old && bits == old->bits)
		return 0;
	t = kzalloc(sizeof(*t) + (sizeof(t->bucket[0]) << bits));
	if (!t)
		return -ENOMEM;
	t->bits = bits;
	t->shift = ARCH_BITS - bits;
	for (unsigned long i = 0; old && i < 1ul << old->bits; i++) {
		struct kprobe_site *s, *next;

		for (s = old->bucket[i]; s; s = next) {
			unsigned long h = hash_addr(s->addr, t->shift);

			next = s->hnext;
			s->hnext = t->bucket[h];
			t->bucket[h] = s;
		}
	}
	barrier();
	table = t;
	retire_kfree(old);	/* a hit on another CPU may be walking it */
	return 0;
}

static __noprobe void site_insert(struct kprobe_site *s)
{
	unsigned long h = hash_addr(s->addr, table->shift);

	s->hnext = table->bucket[h];
	barrier();		/* complete before a hit can see it */
	table->bucket[h] = s;
	nr_sites++;
}

static __noprobe void site_remove(struct kprobe_site *s)
{
	struct kprobe_site **pp = &table->bucket[hash_addr(s->addr, table->shift)];

	while (*pp != s)
		pp = &(*pp)->hnext;
	*pp = s->hnext;
	nr_sites--;
}

struct kprobe_site *__noprobe kp_site_find(unsigned long addr)
{
	return table ? site_find(addr) : NULL;
}

static __noprobe void site_free(struct kprobe_site *s)
{
	opt_forget(s);
	if (s->slot)
		kp_slot_free(s);
	kfree(s->ops);
	kfree(s);
}

static __noprobe int site_update(struct kprobe_site *s);

/*
 * Unless a hit is in progress (it may be in their slots or their ops):
 * finish a deferred fentry change, free unregistered sites, optimize the
 * sites waiting for it.
 */
static __noprobe void reap(void)
{
	if (this_cpu_read(kcb.running) || this_cpu_read(kcb.step))
		return;
	if (ftrace_pending) {
		struct kprobe_site *s = ftrace_pending;

		ftrace_pending = NULL;
		site_update(s);
	}
	if (graveyard)
		synchronize_probes();	/* no CPU is in their slots or hit paths any more */
	while (graveyard) {
		struct kprobe_site *s = graveyard;

		graveyard = s->dead_next;
		site_free(s);
	}
	opt_flush();
	retire_flush();
}

/* ---- validation: every check before anything changes ---- */

/* The bytes at pos as they were before our int3s and optimized jmps. */
static __noprobe void read_orig(unsigned long pos, uint8_t *buf, size_t n)
{
	struct kprobe_site *s;

	for (size_t i = 0; i < n; i++) {
		buf[i] = ((const volatile uint8_t *)pos)[i];
		if (buf[i] == INT3 && (s = kp_site_find(pos + i)))
			buf[i] = s->orig[0];
	}
	opt_recover(pos, buf, n);
}

void __noprobe kprobe_read_text(unsigned long addr, void *buf, size_t n)
{
	read_orig(addr, buf, n);
}

/*
 * Is addr an instruction boundary of the function [start, end)? Decode from
 * start. The last boundary found is remembered, so probing a function in
 * ascending order decodes it once (the 10,000-probe case).
 */
static __noprobe int check_boundary(unsigned long start, unsigned long end, unsigned long addr,
				    const char **why)
{
	static unsigned long cache_func, cache_pos;
	unsigned long pos = start;

	if (cache_func == start && cache_pos <= addr)
		pos = cache_pos;
	while (pos < addr) {
		uint8_t buf[INSN_MAX_LEN];
		size_t n = end - pos < INSN_MAX_LEN ? end - pos : INSN_MAX_LEN;
		struct insn in;
		int len;

		read_orig(pos, buf, n);
		len = insn_decode(&in, buf, n, KP_INSN_MODE);
		if (len < 0) {
			*why = "its function cannot be decoded up to it";
			return -EINVAL;
		}
		pos += len;
	}
	if (pos != addr) {
		*why = "not an instruction boundary";
		return -EINVAL;
	}
	cache_func = start;
	cache_pos = addr;
	return 0;
}

/* Resolve p's address and refuse places no probe may go. */
static __noprobe int locate(struct kprobe *p, unsigned long *addrp, int *fentry, const char **why)
{
	unsigned long addr = p->addr;

	if (p->symbol) {
		addr = sym_addr(p->symbol);
		if (!addr) {
			*why = "unknown symbol";
			return -ENOENT;
		}
	}
	*addrp = addr += p->offset;
	if (execmem_contains((const void *)addr)) {
		*why = "in execmem (kprobe slots, trampolines)";
		return -EFAULT;
	}
	if (addr < (unsigned long)__text_start || addr >= (unsigned long)__text_end) {
		*why = "not in kernel text";
		return -EFAULT;
	}
	if (addr >= (unsigned long)__noprobe_start && addr < (unsigned long)__noprobe_end) {
		*why = "in the probe machinery (.text.noprobe)";
		return -EFAULT;
	}
	*fentry = fentry_site_exists(addr);
	return 0;
}

/* A new site on an fentry site: an ftrace_ops, no int3, no slot. */
static __noprobe int site_create_fentry(unsigned long addr, struct kprobe_site **out, const char **why)
{
	struct kprobe_site *s = kzalloc(sizeof(*s));
	struct ftrace_ops *ops = kzalloc(sizeof(*ops));

	if (!s || !ops) {
		kfree(s);
		kfree(ops);
		*why = "out of memory";
		return -ENOMEM;
	}
	ops->func = kprobe_ftrace;
	ops->private = s;
	s->ops = ops;
	s->addr = addr;
	s->kind = KP_FTRACE;
	s->op = KP_OP_NOP;
	s->len = FENTRY_CALL_SIZE;
	read_orig(addr, s->orig, FENTRY_CALL_SIZE);
	*out = s;
	return 0;
}

/* A new site for addr: decoded, classified, its slot written. Not yet visible. */
static __noprobe int site_create(unsigned long addr, int want_post, struct kprobe_site **out,
				 const char **why)
{
	unsigned long off, size, end;
	struct kprobe_site *s;
	size_t n;
	int err;

	if (!sym_lookup(addr, &off, &size)) {
		*why = "not inside a known function";
		return -EFAULT;
	}
	end = addr - off + size;
	err = check_boundary(addr - off, end, addr, why);
	if (err)
		return err;
	s = kzalloc(sizeof(*s));
	if (!s) {
		*why = "out of memory";
		return -ENOMEM;
	}
	s->addr = addr;
	n = end - addr < INSN_MAX_LEN ? end - addr : INSN_MAX_LEN;
	read_orig(addr, s->orig, n);
	if (s->orig[0] == INT3) {
		kfree(s);
		*why = "already holds an int3 that is not a kprobe's";
		return -EBUSY;
	}
	err = kp_prepare(s, n, why);
	if (!err && s->kind != KP_EMULATE) {
		s->kind = want_post ? KP_SSTEP : KP_BOOST;
		err = kp_slot_alloc(s, why);
	}
	if (err) {
		kfree(s);
		return err;
	}
	*out = s;
	return 0;
}

/* ---- changing state ---- */

/*
 * Match the slot's tail and the int3 (or the ftrace_ops) to the probes'
 * wishes. Fails only to attach an ftrace_ops (out of memory).
 */
static __noprobe int site_update(struct kprobe_site *s)
{
	int enabled = 0, post = 0;
	uint8_t int3 = INT3;
	struct kprobe *single = NULL;

	for (struct kprobe *p = s->probes; p; p = p->next) {
		if (!p->disabled) {
			if (!enabled++)
				single = p;
			post |= p->post_handler != NULL;
		}
	}
	s->single = enabled == 1 ? single : NULL;
	s->post = (uint8_t)post;
	if (s->kind == KP_OPT) {
		if (enabled && !post)
			return 0;	/* its detour serves them all */
		opt_unoptimize(s);
	}
	opt_queue(s);
	if (s->op == KP_OP_COPY && s->kind != (post ? KP_SSTEP : KP_BOOST)) {
		s->kind = post ? KP_SSTEP : KP_BOOST;
		kp_slot_set_tail(s);
	}
	if (!!enabled == s->armed)
		return 0;
	if (s->kind != KP_FTRACE) {
		text_poke((void *)s->addr, enabled ? &int3 : &s->orig[0], 1);
	} else if (s == this_cpu_read(kcb.ftrace_site)) {
		ftrace_pending = s;	/* fentry is walking its ops now: at the next call */
		return 0;
	} else {
		int err = enabled ? ftrace_ops_register_ip(s->ops, s->addr) : ftrace_ops_unregister(s->ops);

		if (err)
			return err;
	}
	s->armed = !!enabled;
	return 0;
}

static __noprobe int refused(struct kprobe *p, unsigned long addr, int err, const char *why)
{
	if (p->symbol)
		printk("kprobes: cannot probe %s+%#lx (%#lx): %s (error %d)\n",
		       p->symbol, p->offset, addr, why, err);
	else
		printk("kprobes: cannot probe %#lx: %s (error %d)\n", addr, why, err);
	p->status = why;
	return err;
}

int __noprobe kprobe_register(struct kprobe *p)
{
	struct kprobe_site *s, *fresh = NULL;
	struct kprobe **pp;
	unsigned long addr = 0;
	const char *why = NULL;
	int err, fentry = 0;

	reap();
	if (!p) {
		printk("kprobes: kprobe_register(NULL)\n");
		return -EINVAL;
	}
	if (p->site) {
		printk("kprobes: the kprobe at %#lx is already registered\n", p->addr);
		return -EEXIST;
	}
	if (!mm_paging_on())
		return refused(p, 0, -EBUSY, "too early: text_poke is not ready");
	err = table ? 0 : table_reserve(1);
	if (!err)
		err = locate(p, &addr, &fentry, &why);
	else
		why = "out of memory";
	if (err)
		return refused(p, addr, err, why);
	s = site_find(addr);
	if (!s) {
		err = fentry ? site_create_fentry(addr, &fresh, &why) :
			       site_create(addr, p->post_handler != NULL, &fresh, &why);
		if (!err && table_reserve(nr_sites + 1)) {
			site_free(fresh);
			err = -ENOMEM;
			why = "out of memory";
		}
		if (err)
			return refused(p, addr, err, why);
		s = fresh;
	}
	if (!hooked)	/* the first probe: our #BP hook goes in behind text_poke's */
		hooked = trap_hook_register(VEC_BP, &kprobe_hook) == 0;

	/* Nothing below fails or calls probe-able code before the int3 is in. */
	opt_make_room(addr);
	p->addr = addr;
	if (!p->symbol)
		p->offset = 0;	/* registering it again probes the same place */
	p->nhit = p->nmissed = 0;
	p->disabled = 0;
	p->next = NULL;
	p->site = s;
	p->status = "armed";
	for (pp = &s->probes; *pp; pp = &(*pp)->next)
		;
	*pp = p;
	if (fresh)
		site_insert(fresh);
	nr_probes++;
	err = site_update(s);
	if (err) {	/* no ftrace_ops: take it all back */
		*pp = NULL;
		p->site = NULL;
		nr_probes--;
		if (fresh) {
			site_remove(fresh);
			site_free(fresh);
		} else {
			site_update(s);
		}
		return refused(p, addr, err, "cannot attach to the fentry site");
	}
	reap();		/* optimizes it when it can be */
	return 0;
}

int __noprobe kprobe_unregister(struct kprobe *p)
{
	struct kprobe_site *s = p ? p->site : NULL;
	struct kprobe **pp;

	reap();
	if (!s) {
		printk("kprobes: unregister: the kprobe at %#lx is not registered\n", p ? p->addr : 0);
		return -ENOENT;
	}
	for (pp = &s->probes; *pp != p; pp = &(*pp)->next)
		;
	*pp = p->next;		/* p->next stays: a hit may be walking through p */
	p->site = NULL;
	p->status = "unregistered";
	nr_probes--;
	if (s->probes) {
		site_update(s);
		reap();
		synchronize_probes();	/* no CPU is still in p's handlers: the caller may reuse p */
		return 0;
	}
	site_update(s);		/* no probes: the original byte goes back */
	site_remove(s);
	opt_queue_before(s->addr);
	s->dead_next = graveyard;
	graveyard = s;
	reap();
	synchronize_probes();	/* no CPU is still in p's handlers: the caller may reuse p */
	return 0;
}

static __noprobe int set_disabled(struct kprobe *p, int disabled)
{
	int err;

	reap();
	if (!p || !p->site) {
		printk("kprobes: %s: the kprobe is not registered\n", disabled ? "disable" : "enable");
		return -ENOENT;
	}
	p->disabled = disabled;
	err = site_update(p->site);
	if (err) {		/* could not attach the ftrace_ops: as it was */
		p->disabled = !disabled;
		site_update(p->site);
		printk("kprobes: cannot enable the kprobe at %#lx (error %d)\n", p->addr, err);
		return err;
	}
	p->status = disabled ? "disabled" : "armed";
	reap();
	return 0;
}

int __noprobe kprobe_disable(struct kprobe *p)
{
	return set_disabled(p, 1);
}

int __noprobe kprobe_enable(struct kprobe *p)
{
	return set_disabled(p, 0);
}

/* ---- reporting ---- */

const char *__noprobe kprobe_kind(const struct kprobe *p)
{
	static const char *const kinds[] = {
		[KP_EMULATE] = "emulated", [KP_BOOST] = "boosted", [KP_SSTEP] = "single-step",
		[KP_FTRACE] = "ftrace", [KP_OPT] = "optimized",
	};

	return p && p->site ? kinds[p->site->kind] : "-";
}

unsigned long __noprobe kprobe_count(void)
{
	return nr_probes;
}

unsigned long __noprobe kprobe_site_count(void)
{
	return nr_sites;
}

void __noprobe kprobe_report(void)
{
	char where[64];

	printk("kprobes: %lu probes on %lu addresses\n", nr_probes, nr_sites);
	if (!nr_probes)
		return;
	printk("  %-40s %-18s %-12s %10s %8s  %s\n", "probe", "address", "kind", "hits", "missed", "status");
	for (unsigned long i = 0; table && i < 1ul << table->bits; i++) {
		for (struct kprobe_site *s = table->bucket[i]; s; s = s->hnext) {
			sym_format(where, sizeof(where), s->addr);
			for (struct kprobe *p = s->probes; p; p = p->next)
				printk("  %-40s %#-18lx %-12s %10lu %8lu  %s%s%s\n", where, s->addr,
				       kprobe_kind(p), p->nhit, p->nmissed, p->status,
				       s->kind == KP_OPT ? "" : "; not optimized: ",
				       s->kind == KP_OPT ? "" : kprobe_opt_status(p));
		}
	}
}
