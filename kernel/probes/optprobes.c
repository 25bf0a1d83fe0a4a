/*
 * Optimized kprobes: when the instructions at a probed address qualify, the
 * site's int3 and the 4 bytes after it become a jmp to a detour slot
 * (execmem) that enters the shared call_to_exception_trampoline with a
 * CALL. A hit then costs no trap:
 *
 *	addr:	jmp slot			5 bytes, over whole instructions
 *
 *	slot:	call optprobe_entry		push $optprobe_handler
 *						jmp call_to_exception_trampoline
 *	+5:	the instructions of [addr, addr + len), relocated
 *		jmp addr + len
 *		int3 ...
 *	+56:	the site (a pointer; +60 on i386)
 *
 * optprobe_handler (kprobes.c, next to the other hit paths) gets regs->ip =
 * RET-IP - 5 = the slot, finds the site in the slot's last word (no hash
 * lookup), shows the pre_handlers regs->ip = addr as an int3 hit would,
 * then sets regs->ip = slot + 5, the copy (or leaves a redirect alone).
 *
 * The stack. At addr the probed code has %sp = S. The jmp pushes nothing;
 * the slot's CALL pushes RET-IP, optprobe_entry pushes the handler, the
 * trampoline builds pt_regs below them (W is the word size):
 *
 *	S		<probed code's stack>	<- regs->sp == S, as at addr
 *	S - W		RET-IP (slot + 5)	on the way out: the resume ip
 *	S - 2W		optprobe_handler	on the way out: flags (then eax/rax at S - 3W)
 *	below		struct pt_regs		regs->ip == slot
 *
 * So the CALL's word lies BELOW regs->sp: the trampoline sets regs->sp to
 * the address above RET-IP, which pops that word as far as any handler can
 * tell. Nothing adds to regs->sp for it (doing so would skip a word of the
 * probed code's stack). On the way out the trampoline writes regs->ip into
 * that very word and `ret`s through it, leaving %sp = regs->sp = S: the
 * copy, or a redirect target, runs on the probed code's stack with every
 * register (flags by popf) as the handlers left them.
 *
 * An address qualifies when (checked on its original bytes, which
 * kprobe_read_text returns even under jmps and int3s):
 *   - optimization is on (kprobe_set_optimize), the site is armed, not an
 *     fentry site, and no enabled probe has a post_handler (that needs the
 *     single step);
 *   - whole instructions cover its 5 bytes inside its function (kallsyms
 *     start and size), each copyable: a RIP-relative operand is relocated
 *     for the slot, a jmp/jcc rel8/rel32 becomes a rel32 to its old target;
 *     a call (its return address would lie in the slot), loop/jcxz (no
 *     rel32 form), indirect jmp/call and IF-changers are refused;
 *   - its function, decoded whole, has no indirect jmp (a jump table may
 *     land anywhere), no relative branch landing in (addr, addr + 5), and
 *     no `<name>.cold` part (whose branches back would not be seen);
 *   - no other probe and no fentry site lies in (addr, addr + len);
 *   - the slot reaches optprobe_entry, every branch target and operand, and
 *     addr + len with rel32 (on x86_64 execmem lies within +-2 GiB of text).
 * Otherwise it stays an int3 probe and kprobe_opt_status says why.
 *
 * Patching is text_poke_bp's 3-step protocol. Optimizing: the site's int3
 * is already at addr, then the rel32 goes behind it, then the jmp opcode
 * (a hit meanwhile is emulated as the jmp to the slot). Unoptimizing: int3
 * over the jmp opcode, then the original 4 bytes (a hit meanwhile is
 * emulated as the jmp to the slot, whose copy is still good), which leaves
 * the int3 probe. A slot is freed only when no hit can be in it.
 *
 * When: a change to a site (kprobes.c's site_update) unoptimizes it at once
 * if it must, and queues it; a probe landing inside some 5 bytes
 * unoptimizes their site first (opt_make_room). opt_flush, at the end of
 * every kprobe call, decides and patches - never while a probe handler
 * runs, since the hit in progress may be about to resume inside the 5
 * bytes it would patch; the next kprobe call does it instead.
 *
 * Probe machinery: every function is __noprobe; the file is in notrace.list.
 * Like registration, the decisions call probe-able code (the decoder,
 * kallsyms, the allocators) only before anything changes.
 */
#include "kernel/probes/kprobes_internal.h"
#include "kernel/dev/console.h"
#include "kernel/errno.h"
#include "kernel/probes/fentry.h"
#include "kernel/kallsyms.h"
#include "kernel/mm/mm.h"
#include "kernel/mm/text_poke.h"
#include "kernel/smp/smp.h"
#include "lib/format.h"

#define INT3		0xcc
#define CALL32		0xe8
#define JMP32		0xe9
#define SITE_WORD	(OPT_SLOT_SIZE - sizeof(void *))

/* The longest detour: call, 5 copied instructions (jcc rel8 grows by 4), jmp, site. */
_Static_assert(OPT_CALL_SIZE + OPT_JMP_SIZE - 1 + INSN_MAX_LEN + 4 * (OPT_JMP_SIZE - 1) + OPT_JMP_SIZE
	       <= SITE_WORD, "a detour does not fit its slot");

static int optimize_on = 1;
static unsigned long nr_optimized;
static struct kp_detour *detours;	/* every slot, optimized or kept through a hit */
static struct kprobe_site *queue;	/* to decide at the next opt_flush */
static int flushing;

/* The last function decoded: can it hold optimized probes, and where do its branches land. */
static struct {
	unsigned long start, size;
	const char *why;
	uint8_t *target;	/* bit i: a relative branch lands at start + i */
} fn;

/* The instructions a detour copies, each decoded as a probe site. */
static struct {
	unsigned n;
	unsigned long len;
	struct kprobe_site insn[OPT_JMP_SIZE];
} plan;

static __noprobe int is_target(unsigned long a)
{
	unsigned long off = a - fn.start;

	return off < fn.size && (fn.target[off / 8] >> (off % 8) & 1);
}

/* Decode the function [start, start + size) (cached): NULL, or why none of it can be optimized. */
static __noprobe const char *scan_function(const char *name, unsigned long start, unsigned long size)
{
	char cold[80];

	if (fn.target && fn.start == start && fn.size == size)
		return fn.why;
	kfree(fn.target);
	fn.target = kzalloc(size / 8 + 1);
	fn.start = start;
	fn.size = fn.target ? size : 0;
	fn.why = NULL;
	if (!fn.target)
		return "out of memory";
	snprintf(cold, sizeof(cold), "%s.cold", name);
	if (sym_addr(cold))
		return fn.why = "its function has a .cold part";
	for (unsigned long pos = start; pos < start + size;) {
		uint8_t buf[INSN_MAX_LEN];
		size_t n = start + size - pos < INSN_MAX_LEN ? start + size - pos : INSN_MAX_LEN;
		struct insn in;
		int len;

		kprobe_read_text(pos, buf, n);
		len = insn_decode(&in, buf, n, KP_INSN_MODE);
		if (len < 0)
			return fn.why = "its function cannot be decoded";
		if (insn_is_indirect_jmp(&in))
			return fn.why = "its function has an indirect jmp (a jump table?)";
		if (insn_is_rel_branch(&in)) {
			unsigned long t = (unsigned long)insn_branch_target(&in, pos) - start;

			if (t < size)
				fn.target[t / 8] |= (uint8_t)(1 << (t % 8));
		}
		pos += (unsigned long)len;
	}
	return NULL;
}

/* Why c cannot run from a detour, or NULL: copied as is, relocated, or (jmp/jcc) rewritten. */
static __noprobe const char *uncopyable(const struct kprobe_site *c)
{
	switch (c->op) {
	case KP_OP_CALL:
	case KP_OP_CALL_IND:
		return "a call in the 5 bytes (its return address would lie in the detour)";
	case KP_OP_JMP_IND:
		return "an indirect jmp in the 5 bytes";
	case KP_OP_LOOP:
	case KP_OP_LOOPE:
	case KP_OP_LOOPNE:
	case KP_OP_JCXZ:
		return "a loop/jcxz in the 5 bytes (no rel32 form)";
	case KP_OP_POPF:
	case KP_OP_CLI:
	case KP_OP_STI:
		return "an IF-changing instruction in the 5 bytes";
	default:
		return NULL;
	}
}

/* Fill plan with the instructions covering s's 5 bytes (function ends at end): NULL or why not. */
static __noprobe const char *plan_copy(const struct kprobe_site *s, unsigned long end)
{
	unsigned long pos = s->addr;
	const char *why;

	for (unsigned long a = s->addr + 1; a < s->addr + OPT_JMP_SIZE; a++)
		if (is_target(a))
			return "a branch lands in the 5 bytes";
	for (plan.n = 0; pos < s->addr + OPT_JMP_SIZE; plan.n++) {
		struct kprobe_site *c = &plan.insn[plan.n];
		size_t avail = end - pos < INSN_MAX_LEN ? end - pos : INSN_MAX_LEN;

		if (pos >= end)
			return "the 5 bytes run past the end of its function";
		if (pos != s->addr && kp_site_find(pos))
			return "another probe lies in the 5 bytes";
		if (pos != s->addr && fentry_site_exists(pos))
			return "an fentry site lies in the 5 bytes";
		*c = (struct kprobe_site){ .addr = pos };
		kprobe_read_text(pos, c->orig, avail);
		if (kp_prepare(c, avail, &why))
			return "an instruction in the 5 bytes cannot run out of line";
		why = uncopyable(c);
		if (why)
			return why;
		pos += c->len;
	}
	plan.len = pos - s->addr;
	return NULL;
}

/* Why s cannot be optimized now, or NULL (plan then holds its copy). */
static __noprobe const char *blocker(struct kprobe_site *s)
{
	unsigned long off, size;
	const char *name, *why;

	if (!optimize_on)
		return "optimization is off";
	/*
	 * With other CPUs running, (un)optimizing still lets one of them run
	 * half-written code now and then (the smp_probes suite finds it with
	 * optimization on, under multi-threaded TCG): int3 probes only.
	 */
	if (nr_cpus_online > 1)
		return "several CPUs are online (jump optimization is one-CPU only for now)";
	if (s->kind == KP_FTRACE)
		return "an fentry site (an ftrace_ops runs its handlers)";
	if (!s->armed)
		return "disabled";
	if (s->post)
		return "a post_handler needs the single step";
	name = sym_lookup(s->addr, &off, &size);
	if (!name)
		return "not inside a known function";
	why = scan_function(name, s->addr - off, size);
	return why ? why : plan_copy(s, s->addr - off + size);
}

/* Write op[0 .. oplen) and a rel32 to `to` at buf + *pos (slot + *pos when it runs). */
static __noprobe int put_rel32(uint8_t *buf, unsigned *pos, unsigned long slot, const uint8_t *op,
			       unsigned oplen, unsigned long to)
{
	int32_t rel;

	if (!kp_rel32(slot + *pos + oplen + 4, to, &rel))
		return -ERANGE;
	for (unsigned i = 0; i < oplen; i++)
		buf[*pos + i] = op[i];
	kp_put32(buf + *pos + oplen, rel);
	*pos += oplen + 4;
	return 0;
}

/* s's detour as it must read at slot (buf, OPT_SLOT_SIZE bytes): NULL, or why it cannot be. */
static __noprobe const char *build(struct kprobe_site *s, unsigned long slot, uint8_t *buf)
{
	static const uint8_t call[] = { CALL32 }, jmp[] = { JMP32 };
	const char *why;
	unsigned pos = 0;

	for (unsigned i = 0; i < OPT_SLOT_SIZE; i++)
		buf[i] = INT3;
	if (put_rel32(buf, &pos, slot, call, 1, (unsigned long)optprobe_entry))
		return "the detour slot is out of rel32 reach of the trampoline";
	for (unsigned i = 0; i < plan.n; i++) {
		const struct kprobe_site *c = &plan.insn[i];
		const uint8_t jcc[] = { 0x0f, (uint8_t)(0x80 | c->cond) };
		int err;

		if (c->op == KP_OP_JMP)
			err = put_rel32(buf, &pos, slot, jmp, 1, c->arg);
		else if (c->op == KP_OP_JCC)
			err = put_rel32(buf, &pos, slot, jcc, 2, c->arg);
		else if (!(err = kp_copy_insn(c, slot + pos, buf + pos, &why)))
			pos += c->len;
		if (err)
			return "a branch target or RIP-relative operand is out of rel32 reach of the detour";
	}
	if (put_rel32(buf, &pos, slot, jmp, 1, s->addr + plan.len))
		return "the detour slot is out of rel32 reach of the text";
	*(struct kprobe_site **)(buf + SITE_WORD) = s;
	return NULL;
}

/* s's detour slot, allocated if it has none. */
static __noprobe struct kp_detour *detour_get(struct kprobe_site *s)
{
	struct kp_detour *d = s->opt;

	if (d)
		return d;
	d = kzalloc(sizeof(*d));
	if (!d || !(d->slot = execmem_alloc(OPT_SLOT_SIZE))) {
		kfree(d);
		return NULL;
	}
	d->site = s;
	d->next = detours;
	if (detours)
		detours->prev = d;
	detours = d;
	s->opt = d;
	return d;
}

static __noprobe void detour_slot_free(void *slot)
{
	execmem_free(slot);
}

/* Free s's detour; its slot once no CPU can be in it. */
static __noprobe void detour_put(struct kprobe_site *s)
{
	struct kp_detour *d = s->opt;

	if (!d)
		return;
	if (d->prev)
		d->prev->next = d->next;
	else
		detours = d->next;
	if (d->next)
		d->next->prev = d->prev;
	s->opt = NULL;
	retire(detour_slot_free, d->slot);	/* a CPU may still be running its copy */
	kfree(d);
}

/* How s runs as an int3 probe (a post_handler, if any, is site_update's to apply). */
static __noprobe uint8_t int3_kind(const struct kprobe_site *s)
{
	return s->op == KP_OP_COPY ? KP_BOOST : KP_EMULATE;
}

/* The jmp from s->addr to its slot, in jmp[OPT_JMP_SIZE]. */
static __noprobe int make_jmp(const struct kprobe_site *s, uint8_t *jmp)
{
	int32_t rel;

	if (!kp_rel32(s->addr + OPT_JMP_SIZE, (unsigned long)s->opt->slot, &rel))
		return -ERANGE;
	jmp[0] = JMP32;
	kp_put32(jmp + 1, rel);
	return 0;
}

/* Still allowed after the probe-able part of optimize (a handler hit in there may change things). */
static __noprobe int still_free(const struct kprobe_site *s)
{
	if (!s->armed || s->post || s->kind == KP_OPT || !optimize_on)
		return 0;
	for (unsigned long a = s->addr + 1; a < s->addr + plan.len; a++)
		if (kp_site_find(a))
			return 0;
	return 1;
}

static __noprobe void optimize(struct kprobe_site *s)
{
	uint8_t buf[OPT_SLOT_SIZE], jmp[OPT_JMP_SIZE];
	struct kp_detour *d = detour_get(s);
	const char *why = d ? NULL : "out of memory for a detour slot";

	if (!why)
		why = build(s, (unsigned long)d->slot, buf);
	if (!why && make_jmp(s, jmp))
		why = "the detour slot is out of rel32 reach of the text";
	if (!why && text_poke(d->slot, buf, OPT_SLOT_SIZE))
		why = "cannot write the detour slot";
	if (!why && !still_free(s))
		why = "changed while it was being optimized";
	if (!why) {
		uint8_t old_kind = s->kind;

		d->len = (uint8_t)plan.len;
		/*
		 * Other CPUs: from now on a hit on the int3 runs the detour's
		 * copy (run_insn), not the boosted slot or the emulation, both
		 * of which resume inside the 5 bytes. Once every CPU has seen
		 * that (the sync), wait for those that had already gone that
		 * way to leave the 5 bytes and every slot, detour or trampoline
		 * (any of them may resume inside the 5 bytes); then the rel32
		 * can go in.
		 */
		s->kind = KP_OPT;
		nr_optimized++;
		smp_sync_cores();
		smp_wait_outside(s->addr + 1, s->addr + plan.len);
		if (text_poke_bp((void *)s->addr, jmp, OPT_JMP_SIZE, NULL) == 0) {
			s->opt_why = NULL;
			return;
		}
		s->kind = old_kind;
		nr_optimized--;
		why = "text_poke_bp is busy";
	}
	s->opt_why = why;
	detour_put(s);
}

void __noprobe opt_unoptimize(struct kprobe_site *s)
{
	uint8_t back[OPT_JMP_SIZE], jmp[OPT_JMP_SIZE];

	back[0] = INT3;
	for (int i = 1; i < OPT_JMP_SIZE; i++)
		back[i] = s->orig[i];
	make_jmp(s, jmp);	/* reached when it was optimized */
	/*
	 * Not KP_OPT from here: kprobe_int3 then never sends a CPU to the detour
	 * (the int3 of the patching windows is text_poke_bp's), and the int3
	 * left at the end runs the int3 way. A hit through the detour always
	 * resumes in its copy (optprobe_handler).
	 */
	s->kind = int3_kind(s);
	nr_optimized--;
	if (text_poke_bp((void *)s->addr, back, OPT_JMP_SIZE, jmp)) {
		/* only from inside another text_poke_bp: the same steps, without its #BP cover */
		text_poke((void *)s->addr, back, 1);
		text_poke((void *)(s->addr + 1), back + 1, OPT_JMP_SIZE - 1);
	}
	opt_queue(s);		/* frees its slot, or optimizes it again */
}

void __noprobe opt_queue(struct kprobe_site *s)
{
	if (s->opt_queued)
		return;
	s->opt_queued = 1;
	s->opt_next = queue;
	queue = s;
}

void __noprobe opt_flush(void)
{
	if (flushing || kprobe_running())
		return;
	flushing = 1;
	while (queue) {
		struct kprobe_site *s = queue;
		const char *why;

		queue = s->opt_next;
		s->opt_queued = 0;
		if (s->kind == KP_OPT)
			continue;
		why = blocker(s);
		if (!why) {
			optimize(s);
		} else {
			s->opt_why = why;
			detour_put(s);
		}
	}
	flushing = 0;
}

void __noprobe opt_make_room(unsigned long addr)
{
	for (unsigned long a = addr - (OPT_JMP_SIZE - 1); nr_optimized && a < addr; a++) {
		struct kprobe_site *s = kp_site_find(a);

		if (s && s->kind == KP_OPT)
			opt_unoptimize(s);
	}
}

void __noprobe opt_queue_before(unsigned long addr)
{
	for (unsigned long a = addr - (OPT_JMP_SIZE - 1); a < addr; a++) {
		struct kprobe_site *s = kp_site_find(a);

		if (s)
			opt_queue(s);
	}
}

void __noprobe opt_forget(struct kprobe_site *s)
{
	if (s->opt_queued) {
		struct kprobe_site **pp = &queue;

		while (*pp != s)
			pp = &(*pp)->opt_next;
		*pp = s->opt_next;
		s->opt_queued = 0;
	}
	detour_put(s);
}

void __noprobe opt_recover(unsigned long pos, uint8_t *buf, size_t n)
{
	for (unsigned long a = pos - (OPT_JMP_SIZE - 1); nr_optimized && a < pos + n; a++) {
		const struct kprobe_site *s = kp_site_find(a);

		if (!s || s->kind != KP_OPT)
			continue;
		for (unsigned long b = a; b < a + OPT_JMP_SIZE; b++)
			if (b >= pos && b < pos + n)
				buf[b - pos] = s->orig[b - a];
	}
}

void __noprobe opt_fault(struct pt_regs *regs)
{
	const struct kp_detour *d = detours;
	unsigned long c, o;
	char where[96];

	while (d && regs->ip - (unsigned long)d->slot >= OPT_SLOT_SIZE)
		d = d->next;
	if (!d)
		return;
	/* Walk the copy and the original side by side: one instruction each. */
	for (c = (unsigned long)d->slot + OPT_CALL_SIZE, o = d->site->addr; o < d->site->addr + d->len;) {
		uint8_t buf[INSN_MAX_LEN];
		size_t n = d->site->addr + d->len - o < INSN_MAX_LEN ? d->site->addr + d->len - o : INSN_MAX_LEN;
		struct insn oi, ci;
		int ol, cl;

		kprobe_read_text(o, buf, n);
		ol = insn_decode(&oi, buf, n, KP_INSN_MODE);
		cl = insn_decode(&ci, (const void *)c, INSN_MAX_LEN, KP_INSN_MODE);
		if (ol < 0 || cl < 0)
			return;
		if (regs->ip >= c && regs->ip < c + (unsigned long)cl) {
			regs->ip = o;
			sym_format(where, sizeof(where), o);
			printk("kprobes: fault in the detour of the optimized kprobe at %#lx, at its copy of %s: "
			       "ip shown there\n", d->site->addr, where);
			return;
		}
		o += (unsigned long)ol;
		c += (unsigned long)cl;
	}
}

const char *__noprobe kprobe_opt_status(const struct kprobe *p)
{
	const struct kprobe_site *s = p ? p->site : NULL;

	if (!s)
		return "-";
	if (s->kind == KP_OPT)
		return "optimized";
	if (s->opt_queued)
		return "not yet (a probe handler is running)";
	return s->opt_why ? s->opt_why : "not yet";
}

int __noprobe kprobe_set_optimize(int on)
{
	int old = optimize_on;

	optimize_on = !!on;
	if (!on)
		for (struct kp_detour *d = detours; d; d = d->next)
			if (d->site->kind == KP_OPT)
				opt_unoptimize(d->site);
	opt_flush();
	return old;
}
