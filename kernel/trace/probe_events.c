/*
 * Probe events from text (kernel/trace/probe_events.h): the parser, the fetching
 * of arguments at a hit, the event line. Definitions are parsed completely
 * before anything is registered, so a bad one changes nothing.
 */
#include <stdarg.h>
#include "kernel/trace/probe_events.h"
#include "kernel/trace/probe_btf.h"
#include "kernel/cmdline.h"
#include "kernel/dev/console.h"
#include "kernel/cpu.h"
#include "kernel/errno.h"
#include "kernel/kallsyms.h"
#include "kernel/mm/mm.h"
#include "kernel/smp/smp.h"
#include "kernel/trace/trace.h"
#include "kernel/traps.h"
#include "kernel/tsc.h"
#include "lib/format.h"
#include "lib/string.h"

#define WORD		sizeof(unsigned long)
#define MAX_ARG_INDEX	15	/* $argN */
#define MAX_STACK_INDEX	1023	/* $stackN */

/*
 * Events live in slots; a record names its event by slot and generation, so
 * a record of a removed event is never printed with a newer event's
 * definition. The slot array grows by doubling, up to PE_MAX_EVENTS.
 */
struct slot {
	struct probe_event *ev;		/* NULL: free */
	uint16_t gen;			/* bumped when the slot is freed */
};
static struct slot *slots;
static uint32_t nr_slots, nr_events;
static struct probe_event scratch;	/* a definition being parsed */

/* ---- errors: which token, what was expected ---------------------------- */

struct parser {
	struct probe_event *ev;
	char *err;
	size_t err_size;
};

static int __printf(3, 4) fail(struct parser *ps, const char *tok, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, ps->err_size, "at '%s': ", tok);

	if (n < 0 || (size_t)n >= ps->err_size)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, ps->err_size - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* ---- registers ---------------------------------------------------------- */

struct reg_name {
	const char *name;
	uint16_t off;
};

#define REG(r) { #r, (uint16_t)__builtin_offsetof(struct pt_regs, r) }
static const struct reg_name reg_names[] = {
	REG(ax), REG(bx), REG(cx), REG(dx), REG(si), REG(di), REG(bp), REG(sp), REG(ip), REG(flags),
};

/* pt_regs names, the arch's own (%rdi / %edi, %rip, %rflags), %r8-%r15. */
static int reg_lookup(const char *name, uint16_t *off)
{
	const char own = ARCH_BITS == 64 ? 'r' : 'e';
	const char *full = name, *end;
	unsigned long n;

	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ARRAY_SIZE(reg_names); i++)
			if (!strcmp(name, reg_names[i].name)) {
				*off = reg_names[i].off;
				return 0;
			}
		if (pass || name[0] != own)
			break;
		name++;
	}
	if (ARCH_BITS == 64 && full[0] == 'r' && !parse_ulong(full + 1, &end, &n) && !*end &&
	    n >= 8 && n <= 15) {
		*off = arch_gpr_offset[n];
		return 0;
	}
	return -1;
}

static const char *reg_help(void)
{
	return ARCH_BITS == 64 ? "%ax %bx %cx %dx %si %di %bp %sp %ip %flags %r8..%r15, or %rax %rdi ..."
			       : "%ax %bx %cx %dx %si %di %bp %sp %ip %flags, or %eax %edi ...";
}

/* ---- types -------------------------------------------------------------- */

struct type_name {
	const char *name;
	uint8_t kind, size;
};

static const struct type_name type_names[] = {
	{ "u8", PE_T_U, 1 }, { "u16", PE_T_U, 2 }, { "u32", PE_T_U, 4 }, { "u64", PE_T_U, 8 },
	{ "s8", PE_T_S, 1 }, { "s16", PE_T_S, 2 }, { "s32", PE_T_S, 4 }, { "s64", PE_T_S, 8 },
	{ "x8", PE_T_X, 1 }, { "x16", PE_T_X, 2 }, { "x32", PE_T_X, 4 }, { "x64", PE_T_X, 8 },
	{ "string", PE_T_STRING, WORD }, { "symbol", PE_T_SYMBOL, WORD },
};

/* ---- parsing ------------------------------------------------------------ */

static int is_ident(const char *s)
{
	if (!*s || (*s >= '0' && *s <= '9'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* The next space-separated token of *p into tok; 0 at the end. */
static int next_token(const char **p, char *tok, size_t size)
{
	const char *s = *p;
	size_t n = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	while (*s && *s != ' ' && *s != '\t') {
		if (n + 1 < size)
			tok[n++] = *s;
		s++;
	}
	tok[n] = 0;
	*p = s;
	return n > 0;
}

/* A whole number (decimal or 0x hex) that is all of s. */
static int whole_number(const char *s, unsigned long *v)
{
	const char *end;

	return !parse_ulong(s, &end, v) && !*end;
}

/* SYMBOL[+OFFS] or a number; *addr gets the address (offset included). */
static int parse_location(const char *s, unsigned long *addr, char *sym, size_t sym_size,
			  unsigned long *offset)
{
	char name[64];
	const char *plus = strchr(s, '+');
	size_t len = plus ? (size_t)(plus - s) : strlen(s);

	*offset = 0;
	if (len == 0 || len >= sizeof(name))
		return -1;
	memcpy(name, s, len);
	name[len] = 0;
	if (plus && !whole_number(plus + 1, offset))
		return -1;
	if (name[0] >= '0' && name[0] <= '9') {
		if (!whole_number(name, addr))
			return -1;
		*addr += *offset;
		sym[0] = 0;
		return 0;
	}
	*addr = sym_addr(name);
	if (!*addr)
		return -ENOENT;
	*addr += *offset;
	strlcpy(sym, name, sym_size);
	return 0;
}

/* FETCHARG in [s, end): fills f (derefs appended innermost first). */
static int parse_fetch(struct parser *ps, const char *tok, const char *s, const char *end,
		       struct pe_fetch *f)
{
	char buf[PE_DEF_MAX];
	size_t len = (size_t)(end - s);
	unsigned long n;
	int neg;

	if (len == 0)
		return fail(ps, tok, "empty argument (expected %%REG, $argN, $stackN, $stack, "
			    "$retval, @ADDR or +OFFS(...))");
	if (*s == '+' || *s == '-') {
		const char *p;
		int err;

		neg = *s == '-';
		if (parse_ulong(s + 1, &p, &n) || p >= end || *p != '(')
			return fail(ps, tok, "expected +OFFS(FETCHARG) or -OFFS(FETCHARG), OFFS a number");
		if (end[-1] != ')')
			return fail(ps, tok, "expected ')' closing +OFFS(FETCHARG)");
		if (end - 1 <= p + 1)
			return fail(ps, tok, "expected FETCHARG inside +OFFS(...)");
		err = parse_fetch(ps, tok, p + 1, end - 1, f);
		if (err)
			return err;
		if (f->nderef == PE_MAX_DEREF)
			return fail(ps, tok, "more than %d nested dereferences", PE_MAX_DEREF);
		f->offs[f->nderef++] = neg ? -(long)n : (long)n;
		return 0;
	}
	if (len >= sizeof(buf))
		return fail(ps, tok, "too long");
	memcpy(buf, s, len);
	buf[len] = 0;
	if (buf[0] == '%') {
		if (reg_lookup(buf + 1, &f->index))
			return fail(ps, tok, "unknown register '%s' (expected %s)", buf, reg_help());
		f->base = PE_REG;
		return 0;
	}
	if (buf[0] == '@') {
		char sym[64];
		unsigned long off;
		int err = parse_location(buf + 1, &f->addr, sym, sizeof(sym), &off);

		if (err == -ENOENT)
			return fail(ps, tok, "unknown symbol in '%s'", buf);
		if (err)
			return fail(ps, tok, "expected @ADDR or @SYMBOL[+OFFS] in '%s'", buf);
		f->base = PE_ADDR;
		f->offs[f->nderef++] = 0;	/* @X is the memory at X */
		return 0;
	}
	if (str_starts_with(buf, "$arg")) {
		if (!whole_number(buf + 4, &n) || n > MAX_ARG_INDEX)
			return fail(ps, tok, "expected $argN with N from 0 to %d", MAX_ARG_INDEX);
		if (ps->ev->kind == 'r')
			return fail(ps, tok, "arguments are only known at entry: use $argN in a p: event");
		if (ps->ev->offset)
			return fail(ps, tok, "$argN needs a probe at offset 0 (the function's entry)");
		f->base = PE_ARG;
		f->index = (uint16_t)n;
		return 0;
	}
	if (!strcmp(buf, "$stack")) {
		f->base = PE_STACKP;
		return 0;
	}
	if (str_starts_with(buf, "$stack")) {
		if (!whole_number(buf + 6, &n) || n > MAX_STACK_INDEX)
			return fail(ps, tok, "expected $stack or $stackN with N from 0 to %d",
				    MAX_STACK_INDEX);
		f->base = PE_STACK;
		f->index = (uint16_t)n;
		return 0;
	}
	if (!strcmp(buf, "$retval")) {
		if (ps->ev->kind != 'r')
			return fail(ps, tok, "$retval is only known at return: use it in an r: event");
		f->base = PE_RETVAL;
		return 0;
	}
	return fail(ps, tok, "unknown fetch argument '%s' (expected %%REG, $argN, $stackN, $stack, "
		    "$retval, @ADDR or +OFFS(...))", buf);
}

/*
 * The one hook into BTF (kernel/trace/probe_btf.c): a parameter name, a member
 * path or $arg* becomes ordinary fetches and types; the rest never sees BTF.
 */
static int btf_arg(struct parser *ps, const char *tok, const char *s, const char *end,
		   struct pe_arg *a, int typed, int named)
{
	char why[PE_DEF_MAX];
	int r = !s ? probe_btf_all_args(ps->ev, why, sizeof(why))
		   : probe_btf_fetch(ps->ev, s, end, a, typed, named, why, sizeof(why));

	return r ? fail(ps, tok, "%s", why) : 0;
}

/* [NAME=]FETCHARG[:TYPE] */
static int parse_arg(struct parser *ps, const char *tok, struct pe_arg *a, int index)
{
	const char *s = tok, *eq = strchr(tok, '='), *end = tok + strlen(tok), *colon = NULL;
	int typed = 0;

	for (const char *c = end; c > tok; c--)
		if (c[-1] == ':') {
			colon = c - 1;
			break;
		}
	if (eq) {
		size_t len = (size_t)(eq - tok);
		char name[PE_NAME_MAX];

		if (len == 0 || len >= sizeof(name))
			return fail(ps, tok, "expected NAME=FETCHARG with NAME 1 to %d characters",
				    PE_NAME_MAX - 1);
		memcpy(name, tok, len);
		name[len] = 0;
		if (!is_ident(name))
			return fail(ps, tok, "argument name '%s' is not an identifier "
				    "(letters, digits, '_')", name);
		strlcpy(a->name, name, sizeof(a->name));
		s = eq + 1;
	} else {
		snprintf(a->name, sizeof(a->name), "arg%d", index + 1);
	}
	if (colon && colon > s) {
		const char *t = colon + 1;
		size_t i;

		for (i = 0; i < ARRAY_SIZE(type_names); i++)
			if (!strcmp(t, type_names[i].name))
				break;
		if (i == ARRAY_SIZE(type_names))
			return fail(ps, tok, "unknown type '%s' (expected u8 u16 u32 u64 s8 s16 s32 "
				    "s64 x8 x16 x32 x64 string symbol)", t);
		a->kind = type_names[i].kind;
		a->size = type_names[i].size;
		end = colon;
		typed = 1;
	} else {
		a->kind = PE_T_X;
		a->size = WORD;
	}
	if (probe_btf_claims(ps->ev, s, end, typed))
		return btf_arg(ps, tok, s, end, a, typed, eq != NULL);
	return parse_fetch(ps, tok, s, end, &a->fetch);
}

int probe_event_parse(const char *def, struct probe_event *ev, char *err, size_t err_size)
{
	struct parser ps = { ev, err, err_size };
	const char *p = def;
	char tok[PE_DEF_MAX];
	unsigned long size, off;
	int r;

	memset(ev, 0, sizeof(*ev));
	err[0] = 0;
	if (strlen(def) >= sizeof(ev->def))
		return fail(&ps, "...", "a definition is at most %d characters", PE_DEF_MAX - 1);
	strlcpy(ev->def, def, sizeof(ev->def));
	if (!next_token(&p, tok, sizeof(tok)))
		return fail(&ps, "", "empty definition (expected p:NAME SYMBOL[+OFFS] [ARGS] or "
			    "r:NAME SYMBOL [ARGS])");
	if ((tok[0] != 'p' && tok[0] != 'r') || (tok[1] && tok[1] != ':'))
		return fail(&ps, tok, "expected p, r, p:NAME, r:NAME or -:NAME");
	ev->kind = tok[0];
	if (tok[1] == ':') {
		if (!is_ident(tok + 2) || strlen(tok + 2) >= PE_NAME_MAX)
			return fail(&ps, tok, "event name must be an identifier of 1 to %d characters "
				    "(letters, digits, '_')", PE_NAME_MAX - 1);
		strlcpy(ev->name, tok + 2, sizeof(ev->name));
	}

	if (!next_token(&p, tok, sizeof(tok)))
		return fail(&ps, def, "missing SYMBOL[+OFFS] or ADDR after '%c'", ev->kind);
	r = parse_location(tok, &ev->addr, ev->symbol, sizeof(ev->symbol), &ev->offset);
	if (r == -ENOENT)
		return fail(&ps, tok, "unknown symbol");
	if (r)
		return fail(&ps, tok, "expected SYMBOL, SYMBOL+OFFS or an address (OFFS, ADDR: "
			    "decimal or 0x hex)");
	if (ev->symbol[0] && sym_lookup(ev->addr - ev->offset, NULL, &size) && ev->offset >= size)
		return fail(&ps, tok, "offset %#lx is past the end of %s (size %#lx)", ev->offset,
			    ev->symbol, size);
	if (!sym_lookup(ev->addr, &off, &size))
		return fail(&ps, tok, "%#lx is not inside any function", ev->addr);
	if (!ev->symbol[0]) {		/* an address: name it by its function */
		strlcpy(ev->symbol, sym_lookup(ev->addr, NULL, NULL), sizeof(ev->symbol));
		ev->offset = off;
	}
	if (ev->kind == 'r' && ev->offset)
		return fail(&ps, tok, "r: events take no offset (a return hook attaches at entry)");
	if (!ev->name[0])	/* Linux's default: p_kmalloc_0 */
		snprintf(ev->name, sizeof(ev->name), "%c_%s_%lu", ev->kind, ev->symbol, ev->offset);

	while (next_token(&p, tok, sizeof(tok))) {
		struct pe_arg *a = &ev->args[ev->nargs];

		if (!strcmp(tok, "if")) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p)
				return fail(&ps, tok, "expected a filter after 'if'");
			return pe_filter_parse(ev, p, &ev->filter, err, err_size);
		}

		if (!strcmp(tok, "$arg*")) {	/* every parameter, by BTF */
			r = btf_arg(&ps, tok, NULL, NULL, NULL, 0, 0);
			if (r)
				return r;
			continue;
		}
		if (ev->nargs == PE_MAX_ARGS)
			return fail(&ps, tok, "more than %d arguments", PE_MAX_ARGS);
		r = parse_arg(&ps, tok, a, ev->nargs);
		if (r)
			return r;
		for (int i = 0; i < ev->nargs; i++)
			if (!strcmp(ev->args[i].name, a->name))
				return fail(&ps, tok, "a second argument called '%s'", a->name);
		ev->nargs++;
	}
	return 0;
}

/* ---- safe memory reads -------------------------------------------------- */

/* Mapped in our page tables (and canonical). */
static int page_readable(unsigned long a)
{
	uint64_t top = (uint64_t)a >> 47;

	if (sizeof(unsigned long) == 8 && top != 0 && top != 0x1ffff)
		return 0;
	if (a < PAGE_SIZE)
		return 0;
	if (!mm_paging_on())		/* the boot mapping: fault_catch alone */
		return 1;
	return arch_page_attr(a & ~(unsigned long)(PAGE_SIZE - 1)) >= 0;
}

struct copy {
	unsigned long src;
	uint8_t *dst;
	size_t len, done;
	int until_nul, bad;
};

static void copy_bytes(void *arg)
{
	struct copy *c = arg;

	for (; c->done < c->len; c->done++) {
		unsigned long a = c->src + c->done;

		if ((c->done == 0 || !(a & (PAGE_SIZE - 1))) && !page_readable(a)) {
			c->bad = 1;
			return;
		}
		c->dst[c->done] = *(const volatile uint8_t *)a;
		if (c->until_nul && !c->dst[c->done])
			return;
	}
}

static int copy_safe(struct copy *c)
{
	struct fault_record rec;

	if (c->src + c->len < c->src)
		return -EFAULT;
	if (fault_catch(copy_bytes, c, &rec) || c->bad)
		return -EFAULT;
	return 0;
}

int probe_read_mem(unsigned long addr, void *dst, size_t len)
{
	struct copy c = { addr, dst, len, 0, 0, 0 };

	return copy_safe(&c);
}

/* ---- fetching ----------------------------------------------------------- */

static int read_word(unsigned long addr, unsigned long *v)
{
	return probe_read_mem(addr, v, WORD);
}

/*
 * A word of the probed code's stack. The page holding regs->sp is mapped
 * (the code just used it), so a word within it is read directly; anything
 * else goes through the safe read.
 */
static int read_stack_word(const struct pt_regs *regs, unsigned long addr, unsigned long *v)
{
	unsigned long page = regs->sp & ~(unsigned long)(PAGE_SIZE - 1);

	if (addr >= regs->sp && addr + WORD - 1 < page + PAGE_SIZE && addr + WORD - 1 > addr) {
		*v = *(const unsigned long *)addr;
		return 0;
	}
	return read_word(addr, v);
}

static int base_value(const struct pe_fetch *f, struct pt_regs *regs, unsigned long *v)
{
	unsigned long *p;

	switch (f->base) {
	case PE_REG:
		*v = *(unsigned long *)((char *)regs + f->index);
		return 0;
	case PE_ARG:
		p = regs_arg_ptr(regs, f->index);
		if ((char *)p >= (char *)regs && (char *)(p + 1) <= (char *)(regs + 1)) {
			*v = *p;
			return 0;
		}
		return read_stack_word(regs, (unsigned long)p, v);
	case PE_STACK:
		return read_stack_word(regs, regs->sp + f->index * WORD, v);
	case PE_STACKP:
		*v = regs->sp;
		return 0;
	case PE_RETVAL:
		*v = regs->ax;
		return 0;
	case PE_ADDR:
		*v = f->addr;
		return 0;
	}
	return -EINVAL;
}

/* The argument's value; for a string, the string's address. */
static int fetch_arg(const struct pe_arg *a, struct pt_regs *regs, uint64_t *val)
{
	unsigned long v;

	if (base_value(&a->fetch, regs, &v))
		return -EFAULT;
	for (int i = 0; i < a->fetch.nderef; i++) {
		unsigned long addr = v + (unsigned long)a->fetch.offs[i];

		if (i == a->fetch.nderef - 1) {
			uint64_t x = 0;

			if (a->kind == PE_T_STRING) {
				*val = addr;
				return 0;
			}
			if (probe_read_mem(addr, &x, a->size))	/* little endian */
				return -EFAULT;
			*val = x;
			return 0;
		}
		if (read_word(addr, &v))
			return -EFAULT;
	}
	*val = v;
	return 0;
}

/* ---- an event's values, as recorded --------------------------------------
 *
 * Per argument: a status byte (fault, cut), then 8 bytes of value, or for a
 * string one length byte and that many characters.
 */
#define V_FAULT		1
#define V_CUT		2
#define PE_DATA_MAX	(PE_MAX_ARGS * (2 + PE_STRING_MAX > 9 ? 2 + PE_STRING_MAX : 9))
_Static_assert(PE_DATA_MAX <= TRACE_EVENT_MAX_DATA, "event values do not fit a trace record");
_Static_assert(PE_STRING_MAX < 256, "string lengths are one byte");

static unsigned record_string(uint8_t *d, unsigned long addr)
{
	struct copy c = { addr, d + 2, PE_STRING_MAX, 0, 1, 0 };

	if (copy_safe(&c)) {
		d[0] = V_FAULT;
		d[1] = 0;
		return 2;
	}
	d[0] = c.done < PE_STRING_MAX ? 0 : V_CUT;	/* stopped at the NUL, or cut */
	d[1] = (uint8_t)(c.done < PE_STRING_MAX ? c.done : PE_STRING_MAX);
	return 2u + d[1];
}

/* Fetch every argument into d (at least PE_DATA_MAX bytes); the length used. */
static unsigned record_values(const struct probe_event *ev, struct pt_regs *regs, uint8_t *d)
{
	unsigned n = 0;

	for (int i = 0; i < ev->nargs; i++) {
		const struct pe_arg *a = &ev->args[i];
		uint64_t v = 0;
		int bad = fetch_arg(a, regs, &v);

		if (a->kind == PE_T_STRING) {
			if (bad) {
				d[n++] = V_FAULT;
				d[n++] = 0;
			} else {
				n += record_string(d + n, (unsigned long)v);
			}
			continue;
		}
		d[n++] = bad ? V_FAULT : 0;
		__builtin_memcpy(d + n, &v, 8);	/* one move (little endian, as decoded) */
		n += 8;
	}
	return n;
}

/* Values back from their bytes: 0, or -1 if the bytes do not fit ev. */
static int decode_values(const struct probe_event *ev, const uint8_t *d, unsigned len,
			 struct pe_value *out)
{
	unsigned n = 0;

	for (int i = 0; i < ev->nargs; i++) {
		struct pe_value *v = &out[i];

		if (n + 1 > len)
			return -1;
		v->fault = d[n] & V_FAULT;
		v->cut = (d[n] & V_CUT) != 0;
		n++;
		if (ev->args[i].kind == PE_T_STRING) {
			if (n + 1 > len || n + 1 + d[n] > len)
				return -1;
			v->len = d[n];
			v->s = (const char *)d + n + 1;
			n += 1u + d[n];
			continue;
		}
		if (n + 8 > len)
			return -1;
		__builtin_memcpy(&v->v, d + n, 8);
		n += 8;
	}
	return n == len ? 0 : -1;
}

/* ---- the event text ----------------------------------------------------- */

static void add_string(struct strbuf *l, const struct pe_value *v)
{
	strbuf_addf(l, "\"");
	for (unsigned i = 0; i < v->len; i++) {
		char c = v->s[i];

		if (c == '"' || c == '\\')
			strbuf_addf(l, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			strbuf_addf(l, "%c", c);
		else
			strbuf_addf(l, "\\x%02x", (uint8_t)c);
	}
	strbuf_addf(l, v->cut ? "\"..." : "\"");
}

static void add_value(struct strbuf *l, const struct pe_arg *a, const struct pe_value *pv)
{
	unsigned bits = a->size * 8;
	uint64_t v = pv->v;
	char sym[96];

	if (pv->fault) {
		strbuf_addf(l, "(fault)");
		return;
	}
	if (a->kind == PE_T_STRING) {
		add_string(l, pv);
		return;
	}
	if (bits < 64)
		v &= (1ull << bits) - 1;
	switch (a->kind) {
	case PE_T_U:
		strbuf_addf(l, "%llu", (unsigned long long)v);
		break;
	case PE_T_S:
		if (bits < 64 && (v >> (bits - 1)) & 1)
			v |= ~0ull << bits;
		strbuf_addf(l, "%lld", (long long)v);
		break;
	case PE_T_X:
		strbuf_addf(l, "0x%llx", (unsigned long long)v);
		break;
	case PE_T_SYMBOL:
		sym_format(sym, sizeof(sym), (unsigned long)v);
		strbuf_addf(l, "%s", sym);
		break;
	}
}

/* "NAME: (where[ <- func]) a=1 ..." */
static void event_text(struct strbuf *l, const struct probe_event *ev, unsigned long where,
		       unsigned long func, const uint8_t *data, unsigned len)
{
	struct pe_value values[PE_MAX_ARGS];
	char at[96];

	sym_format(at, sizeof(at), where);
	strbuf_addf(l, "%s: (%s", ev->name, at);
	if (func) {
		const char *name = sym_lookup(func, NULL, NULL);

		if (name)
			strbuf_addf(l, " <- %s", name);
		else
			strbuf_addf(l, " <- 0x%lx", func);
	}
	strbuf_addf(l, ")");
	if (decode_values(ev, data, len, values)) {
		strbuf_addf(l, " (values do not match the definition)");
		return;
	}
	for (int i = 0; i < ev->nargs; i++) {
		strbuf_addf(l, " %s=", ev->args[i].name);
		add_value(l, &ev->args[i], &values[i]);
	}
}

static struct probe_event *event_of_record(const struct trace_record *r)
{
	if (r->event.id >= nr_slots || slots[r->event.id].gen != r->event.gen)
		return NULL;
	return slots[r->event.id].ev;
}

void probe_event_record_text(struct strbuf *l, const struct trace_record *r, const void *data,
			     unsigned len)
{
	const struct probe_event *ev = event_of_record(r);

	if (!ev) {
		char at[96];

		sym_format(at, sizeof(at), r->ip);
		strbuf_addf(l, "(a removed event): (%s)", at);
		return;
	}
	event_text(l, ev, r->ip, r->parent_ip, data, len);
}

size_t probe_event_format(const struct probe_event *ev, struct pt_regs *regs, unsigned long where,
			  unsigned long func, char *buf, size_t size)
{
	struct strbuf l = { buf, size, 0 };
	uint64_t start = trace_start_tsc(), now = rdtsc();
	uint64_t us = now > start ? tsc_cycles_to_ns(now - start) / 1000 : 0;
	uint8_t data[PE_DATA_MAX];
	unsigned len = record_values(ev, regs, data);

	if (!size)
		return 0;
	buf[0] = 0;
	/* Linux's context columns; a probe handler runs with preemption off ("1"). */
	strbuf_addf(&l, "%16s-%-7d [%03u] %c..1. %5llu.%06llu: ", "<idle>", 0, 0,
	    regs->flags & FLAGS_IF ? '.' : 'd', (unsigned long long)(us / 1000000),
	    (unsigned long long)(us % 1000000));
	event_text(&l, ev, where, func, data, len);
	return l.len;
}

/* ---- hits: into the trace buffer, never onto a console ------------------ */

static __noprobe void event_hit(struct probe_event *ev, struct pt_regs *regs, unsigned long where,
				unsigned long func)
{
	uint8_t data[PE_DATA_MAX];
	struct trace_record rec = {
		.type = TRACE_EVENT, .ip = where, .parent_ip = func,
		.flags = regs->flags & FLAGS_IF ? 0 : TRACE_FLAG_IRQS_OFF,
	};
	unsigned len;

	counter_inc(&ev->hits);
	len = record_values(ev, regs, data);
	if (ev->filter.n) {
		struct pe_value values[PE_MAX_ARGS];

		if (decode_values(ev, data, len, values) || !pe_filter_match(&ev->filter, ev, values)) {
			counter_inc(&ev->filtered);
			return;
		}
	}
	rec.ts = rdtsc();
	rec.event.id = ev->id;
	rec.event.gen = ev->gen;
	if (trace_event_add(&rec, data, len))
		counter_inc(&ev->dropped);
}

static __noprobe int kprobe_hit(struct kprobe *p, struct pt_regs *regs)
{
	event_hit(p->data, regs, regs->ip, 0);
	return 0;
}

static __noprobe void fentry_hit(unsigned long ip, unsigned long parent_ip, struct ftrace_ops *ops,
				 struct pt_regs *regs)
{
	(void)parent_ip;
	event_hit(ops->private, regs, ip, 0);
}

static __noprobe void return_hit(struct rethook *rh, struct pt_regs *regs, void *data)
{
	struct probe_event *ev = (struct probe_event *)((char *)rh -
							 __builtin_offsetof(struct probe_event, rh));

	(void)data;
	event_hit(ev, regs, regs->ip, rh->addr);
}

/* ---- the event table ---------------------------------------------------- */

struct probe_event *probe_event_find(const char *name)
{
	for (uint32_t i = 0; i < nr_slots; i++)
		if (slots[i].ev && !strcmp(slots[i].ev->name, name))
			return slots[i].ev;
	return NULL;
}

unsigned long probe_events_count(void)
{
	return nr_events;
}

static const char *via_name(const struct probe_event *ev)
{
	switch (ev->via) {
	case PE_VIA_FENTRY: return "fentry hook";
	case PE_VIA_KPROBE: return "kprobe";
	case PE_VIA_RETHOOK: return "return hook";
	}
	return ev->kind == 'r' ? "return hook" : ev->offset == 0 && fentry_site_exists(ev->addr) ?
	       "fentry hook" : "kprobe";
}

static int event_register(struct probe_event *ev)
{
	int err;

	if (ev->kind == 'r') {
		memset(&ev->rh, 0, sizeof(ev->rh));
		ev->rh.addr = ev->addr;
		ev->rh.handler = return_hit;
		ev->via = PE_VIA_RETHOOK;
		err = rethook_register(&ev->rh);
	} else if (ev->offset == 0 && fentry_site_exists(ev->addr)) {
		/* A function's first instruction is its fentry site: hook it there. */
		memset(&ev->ops, 0, sizeof(ev->ops));
		ev->ops.func = fentry_hit;
		ev->ops.private = ev;
		ev->via = PE_VIA_FENTRY;
		err = ftrace_ops_register_ip(&ev->ops, ev->addr);
	} else {
		memset(&ev->kp, 0, sizeof(ev->kp));
		ev->kp.addr = ev->addr;
		ev->kp.pre_handler = kprobe_hit;
		ev->kp.data = ev;
		ev->via = PE_VIA_KPROBE;
		err = kprobe_register(&ev->kp);
	}
	if (err)
		ev->via = PE_VIA_NONE;
	ev->enabled = !err;
	return err;
}

/* Misses the machinery counted for this event (handler already running...). */
static unsigned long machinery_missed(const struct probe_event *ev)
{
	if (ev->via == PE_VIA_KPROBE)
		return ev->kp.nmissed;
	if (ev->via == PE_VIA_RETHOOK)
		return ev->rh.user.missed;
	return 0;
}

static void event_unregister(struct probe_event *ev)
{
	ev->missed += machinery_missed(ev);
	switch (ev->via) {
	case PE_VIA_FENTRY:
		ftrace_ops_unregister(&ev->ops);
		break;
	case PE_VIA_KPROBE:
		kprobe_unregister(&ev->kp);
		break;
	case PE_VIA_RETHOOK:
		rethook_unregister(&ev->rh);
		break;
	}
	ev->via = PE_VIA_NONE;
	ev->enabled = 0;
}

/* A free slot (growing the table), or -ENOSPC / -ENOMEM. */
static int slot_alloc(uint32_t *id)
{
	for (uint32_t i = 0; i < nr_slots; i++)
		if (!slots[i].ev) {
			*id = i;
			return 0;
		}
	if (nr_slots == PE_MAX_EVENTS)
		return -ENOSPC;
	{
		uint32_t n = nr_slots ? nr_slots * 2 : 64;
		struct slot *bigger = kzalloc(n * sizeof(*bigger));

		if (!bigger)
			return -ENOMEM;
		if (slots)
			memcpy(bigger, slots, nr_slots * sizeof(*slots));
		kfree(slots);
		slots = bigger;
		*id = nr_slots;
		nr_slots = n;
	}
	return 0;
}

/*
 * Unregistered, ev can no longer be found by a hit, but another CPU may
 * still be inside its handler: free it only once every CPU has left the
 * probe paths (kernel/smp: retire). Its records stay in the buffer and
 * print as a removed event (the slot's generation moves on).
 */
static void event_free(struct probe_event *ev)
{
	slots[ev->id].ev = NULL;
	slots[ev->id].gen++;
	nr_events--;
	retire_kfree(ev);
	retire_flush();
}

void probe_event_delete(struct probe_event *ev)
{
	event_unregister(ev);
	event_free(ev);
}

int probe_event_remove(const char *name)
{
	struct probe_event *ev = probe_event_find(name);

	if (!ev) {
		printk("probe: no event called '%s'\n", name);
		return -ENOENT;
	}
	printk("probe: %s removed (%lu hits)\n", ev->name, ev->hits);
	probe_event_delete(ev);
	return 0;
}

int probe_event_create(const char *def, struct probe_event **out, char *err, size_t err_size)
{
	struct probe_event *ev;
	uint32_t id;
	int r;

	*out = NULL;
	if (probe_event_parse(def, &scratch, err, err_size))
		return -EINVAL;
	if (probe_event_find(scratch.name)) {
		snprintf(err, err_size, "an event called '%s' exists (remove it with -:%s)",
			 scratch.name, scratch.name);
		return -EEXIST;
	}
	r = slot_alloc(&id);
	ev = r ? NULL : kmalloc(sizeof(*ev));
	if (!ev) {
		snprintf(err, err_size, "no room for another event (%lu defined, at most %d)",
			 (unsigned long)nr_events, PE_MAX_EVENTS);
		return r ? r : -ENOMEM;
	}
	*ev = scratch;
	ev->id = id;
	ev->gen = slots[id].gen;
	r = event_register(ev);
	if (r) {
		snprintf(err, err_size, "cannot register '%s' at %s+0x%lx: error %d%s%s", ev->name,
			 ev->symbol, ev->offset, r, ev->kind == 'p' && ev->kp.status ? ": " : "",
			 ev->kind == 'p' && ev->kp.status ? ev->kp.status : "");
		kfree(ev);
		return r;
	}
	slots[id].ev = ev;
	nr_events++;
	*out = ev;
	return 0;
}

int probe_event_command(const char *def)
{
	struct probe_event *ev = NULL;
	char err[PE_DEF_MAX + 64];
	int r;

	while (*def == ' ' || *def == '\t')
		def++;
	if (def[0] == '-' && def[1] == ':')
		return probe_event_remove(def + 2);
	r = probe_event_create(def, &ev, err, sizeof(err));
	if (r == -EINVAL) {
		printk("probe: bad definition '%s': %s\n", def, err);
		return r;
	}
	if (r) {
		printk("probe: %s\n", err);
		return r;
	}
	printk("probe: %s: %s at %s+0x%lx, %d argument%s%s\n", ev->name, via_name(ev), ev->symbol,
	       ev->offset, ev->nargs, ev->nargs == 1 ? "" : "s", ev->filter.n ? ", filtered" : "");
	return 0;
}

int probe_events_enable(const char *glob, int enable)
{
	int changed = 0, matched = 0, failed = 0;

	for (uint32_t i = 0; i < nr_slots; i++) {
		struct probe_event *ev = slots[i].ev;

		if (!ev || !glob_match(glob, ev->name))
			continue;
		matched++;
		if (ev->enabled == !!enable)
			continue;
		if (!enable) {
			event_unregister(ev);
		} else if (event_register(ev)) {
			printk("probe: cannot enable %s\n", ev->name);
			failed++;
			continue;
		}
		changed++;
	}
	if (!matched) {
		printk("probe: no event matches '%s'\n", glob);
		return -ENOENT;
	}
	printk("probe: %d event%s %s%s\n", changed, changed == 1 ? "" : "s",
	       enable ? "enabled" : "disabled", failed ? " (some failed)" : "");
	return failed ? -EBUSY : changed;
}

int probe_event_set_filter(const char *name, const char *expr)
{
	struct probe_event *ev = probe_event_find(name);
	struct pe_filter f = { 0 };
	char err[160];

	if (!ev) {
		printk("probe: no event called '%s'\n", name);
		return -ENOENT;
	}
	if (expr && strcmp(expr, "0") && pe_filter_parse(ev, expr, &f, err, sizeof(err))) {
		printk("probe: bad filter for %s: %s\n", name, err);
		return -EINVAL;
	}
	/*
	 * A handler on another CPU must never see a filter half copied: an
	 * armed event is disarmed (which waits until every CPU has left its
	 * handler), given the new filter, and armed again.
	 */
	if (ev->enabled) {
		event_unregister(ev);
		ev->filter = f;
		if (event_register(ev))
			printk("probe: %s: could not be armed again (it stays disabled)\n", name);
	} else {
		ev->filter = f;
	}
	printk("probe: %s: %s\n", name, f.n ? "filter set" : "no filter");
	return 0;
}

void probe_events_list(void)
{
	unsigned long n = 0;

	for (uint32_t i = 0; i < nr_slots; i++) {
		const struct probe_event *ev = slots[i].ev;

		if (!ev)
			continue;
		if (!n++)
			printk("probe events:\n");
		printk("  %-16s %s+0x%lx  %-11s %s hits %lu, missed %lu, filtered %lu, dropped %lu   %s\n",
		       ev->name, ev->symbol, ev->offset, via_name(ev), ev->enabled ? "on " : "off",
		       ev->hits, ev->missed + machinery_missed(ev), ev->filtered, ev->dropped, ev->def);
	}
	if (!n)
		printk("probe events: none (define one: p:NAME SYMBOL[+OFFS] [ARGS] or r:NAME SYMBOL [ARGS])\n");
}

int probe_events_apply_cmdline(void)
{
	int failures = 0;

	for (int i = 0; i < kopt.probe_count; i++)
		if (probe_event_command(kopt.probes[i]))
			failures++;
	return failures;
}
