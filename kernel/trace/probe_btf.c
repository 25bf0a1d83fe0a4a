/*
 * BTF names for probe-event arguments (kernel/trace/probe_btf.h). A path is
 * followed with the value's location in hand: first an argument slot (or,
 * for a value wider than a word, the stack), then "in memory at the fetch's
 * value + off" after each '->'. Each '->' that follows another becomes one
 * more dereference; '.' only moves off. The end of the path picks the type.
 */
#include <stdarg.h>
#include "kernel/trace/probe_btf.h"
#include "kernel/arch.h"
#include "kernel/btf.h"
#include "kernel/compiler.h"
#include "kernel/errno.h"
#include "kernel/kallsyms.h"
#include "lib/format.h"
#include "lib/string.h"

#define WORD		sizeof(unsigned long)
#define MAX_SLOT	15	/* as $argN */

struct walk {
	const struct btf *b;
	struct pe_fetch f;
	int in_mem;		/* the value is the memory at f's value + off */
	long off;
	uint32_t type;
	int is_static;		/* the FUNC's linkage (set by the build from the symbol table) */
	char path[PE_DEF_MAX];	/* what has been followed, for messages */
	char *err;
	size_t err_size;
};

static int __printf(2, 3) fail(struct walk *w, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->err, w->err_size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *spell(struct walk *w, uint32_t id, char *buf, size_t size)
{
	btf_decl(w->b, id, "", buf, size);
	return buf;
}

static int is_char(const struct btf *b, uint32_t id)
{
	const struct btf_type *t = btf_type_by_id(b, btf_resolve(b, id));

	const char *n = t ? btf_str(b, t->name_off) : "";

	return t && btf_kind(t) == BTF_KIND_INT && t->size_or_type == 1 &&
	       (!strcmp(n, "char") || !strcmp(n, "signed char") || !strcmp(n, "unsigned char"));
}

static int is_record(const struct btf_type *t)
{
	return t && (btf_kind(t) == BTF_KIND_STRUCT || btf_kind(t) == BTF_KIND_UNION);
}

/* One more dereference: the value so far is read (a word) at value + off. */
static int push(struct walk *w, long off)
{
	if (w->f.nderef == PE_MAX_DEREF)
		return fail(w, "'%s' needs more than %d dereferences", w->path, PE_MAX_DEREF);
	w->f.offs[w->f.nderef++] = off;
	return 0;
}

struct same_name {
	const char *name;
	int n;
};

static int count_same(const char *name, unsigned long addr, unsigned long size, void *ctx)
{
	struct same_name *s = ctx;

	(void)addr;
	(void)size;
	s->n += !strcmp(name, s->name);
	return 0;
}

/* The probed function's prototype, or why there is none. */
static int proto_of(struct walk *w, const struct probe_event *ev, uint32_t *proto)
{
	struct same_name same = { ev->symbol, 0 };
	uint32_t func;

	w->b = kernel_btf();
	if (!w->b)
		return fail(w, "the kernel has no BTF (see the boot log): name arguments by "
			    "position ($argN, %%REG)");
	*proto = btf_func_proto(w->b, ev->symbol, &func);
	if (!*proto)
		return fail(w, "no BTF for '%s' (not a C function pahole described): name "
			    "arguments by position ($argN, %%REG)", ev->symbol);
	/* BTF keeps one prototype per name: two static functions may share it */
	sym_for_each(count_same, &same);
	if (same.n > 1)
		return fail(w, "%d functions are called '%s': BTF cannot tell which prototype is "
			    "this one's", same.n, ev->symbol);
	w->is_static = btf_vlen(btf_type_by_id(w->b, func)) == 0;
	return 0;
}

static void param_list(const struct btf *b, uint32_t proto, char *buf, size_t size)
{
	const struct btf_type *t = btf_type_by_id(b, proto);
	const struct btf_param *p = btf_extra(t);
	struct strbuf sb = { buf, size, 0 };
	char one[96];

	buf[0] = 0;
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		btf_decl(b, p[i].type, btf_str(b, p[i].name_off), one, sizeof(one));
		strbuf_addf(&sb, "%s%s", i ? ", " : "", p[i].type ? one : "...");
	}
	if (!btf_vlen(t))
		strbuf_addf(&sb, "none");
}

/*
 * Where parameter i is at the function's first instruction: the ABI's
 * integer slots (x86_64: a register each, then the stack; i386 cdecl: the
 * stack, a 64-bit value in two words).
 */
static int param_start(struct walk *w, const struct probe_event *ev, uint32_t proto, unsigned i)
{
	const struct btf_type *t = btf_type_by_id(w->b, proto);
	const struct btf_param *p = btf_extra(t);
	unsigned slot = 0;
	uint32_t size;

	if (ev->kind == 'r')
		return fail(w, "parameters are only known at entry: use '%s' in a p: event", w->path);
	if (ev->offset)
		return fail(w, "parameters need a probe at offset 0 (the function's entry)");
	if (ARCH_BITS == 32 && w->is_static)	/* gcc's local regparm: see probe_btf.h */
		return fail(w, "%s is static: on i386 gcc may pass its arguments in registers, "
			    "which BTF does not show (read %%ax %%dx %%cx)", ev->symbol);
	for (unsigned j = 0; j <= i; j++) {
		const struct btf_type *pt = btf_type_by_id(w->b, btf_resolve(w->b, p[j].type));

		if (!p[j].type)
			return fail(w, "'%s' is in the variadic part of %s", w->path, ev->symbol);
		if (btf_size(w->b, p[j].type, &size) || is_record(pt) || size > 8)
			return fail(w, "%s: parameter %u is passed by value as %s: not supported%s",
				    ev->symbol, j, pt && btf_kind(pt) == BTF_KIND_UNION ? "a union" :
				    "a struct", j < i ? " (nor what follows it)" : "");
		if (j < i)
			slot += ARCH_BITS == 64 ? 1 : (size + WORD - 1) / WORD;
	}
	if (slot > MAX_SLOT)
		return fail(w, "'%s' is argument slot %u: at most %d", w->path, slot, MAX_SLOT);
	memset(&w->f, 0, sizeof(w->f));
	w->type = p[i].type;
	if (size > WORD) {	/* i386, 64 bits: two stack words above the return address */
		w->f.base = PE_STACKP;
		w->in_mem = 1;
		w->off = (long)((1 + slot) * WORD);
	} else {
		w->f.base = PE_ARG;
		w->f.index = (uint16_t)slot;
		w->in_mem = 0;
		w->off = 0;
	}
	return 0;
}

/* ->name (arrow) or .name */
static int member(struct walk *w, const char *name, int arrow)
{
	const struct btf_type *t = btf_type_by_id(w->b, btf_resolve(w->b, w->type));
	uint32_t sid = btf_resolve(w->b, w->type), type, bit, bits;
	char ts[96], list[PE_DEF_MAX];
	int r;

	if (arrow) {
		if (!t || btf_kind(t) != BTF_KIND_PTR)
			return fail(w, "'%s' is %s, not a pointer: no '->' on it", w->path,
				    spell(w, w->type, ts, sizeof(ts)));
		sid = btf_resolve(w->b, t->size_or_type);
		if (!is_record(btf_type_by_id(w->b, sid)))
			return fail(w, "'%s' is %s: '->' needs a pointer to a struct or union",
				    w->path, spell(w, w->type, ts, sizeof(ts)));
		if (w->in_mem && (r = push(w, w->off)))
			return r;
		w->in_mem = 1;
		w->off = 0;
	} else {
		if (t && btf_kind(t) == BTF_KIND_PTR)
			return fail(w, "'%s' is a pointer (%s): use '->'", w->path,
				    spell(w, w->type, ts, sizeof(ts)));
		if (!is_record(t))
			return fail(w, "'%s' is %s, not a struct or union: no '.' on it", w->path,
				    spell(w, w->type, ts, sizeof(ts)));
		if (!w->in_mem)
			return fail(w, "'%s' is not in memory", w->path);
	}
	if (btf_member_find(w->b, sid, name, &type, &bit, &bits)) {
		btf_member_list(w->b, sid, list, sizeof(list));
		return fail(w, "%s has no member '%s' (members: %s)", spell(w, sid, ts, sizeof(ts)),
			    name, list);
	}
	strbuf_addf(&(struct strbuf){ w->path, sizeof(w->path), strlen(w->path) }, "%s%s",
		    arrow ? "->" : ".", name);
	if (bits || bit % 8)
		return fail(w, "'%s' is a bitfield (%u bits at bit %u): not supported", w->path,
			    bits, bit);
	w->off += (long)(bit / 8);
	w->type = type;
	return 0;
}

/* The path's end: the fetch's last steps and, untyped, the type it prints as. */
static int finish(struct walk *w, struct pe_arg *a, int typed)
{
	uint32_t id = btf_resolve(w->b, w->type), size;
	const struct btf_type *t = btf_type_by_id(w->b, id);
	char ts[96], list[PE_DEF_MAX];
	int r = 0;

	if (typed) {
		if (w->in_mem)
			r = push(w, w->off);
		if (!r && a->kind == PE_T_STRING && t && btf_kind(t) == BTF_KIND_PTR && w->in_mem)
			r = push(w, 0);		/* the string is where the pointer points */
		a->fetch = w->f;
		return r;
	}
	if (!t)
		return fail(w, "'%s' is void", w->path);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		btf_size(w->b, id, &size);
		if (size > 8 || (size & (size - 1)))
			return fail(w, "'%s' is %s (%u bytes): not supported", w->path,
				    spell(w, w->type, ts, sizeof(ts)), size);
		if (!w->in_mem && size > WORD)
			return fail(w, "'%s' is %s in two registers: read them as %%ax and %%dx",
				    w->path, spell(w, w->type, ts, sizeof(ts)));
		if (btf_kind(t) == BTF_KIND_INT)
			a->kind = (*(const uint32_t *)btf_extra(t) >> 24) & BTF_INT_SIGNED ? PE_T_S : PE_T_U;
		else
			a->kind = btf_kflag(t) ? PE_T_S : PE_T_U;
		a->size = (uint8_t)size;
		if (w->in_mem)
			r = push(w, w->off);
		break;
	case BTF_KIND_PTR:
		a->kind = is_char(w->b, t->size_or_type) ? PE_T_STRING : PE_T_X;
		a->size = WORD;
		if (w->in_mem) {
			r = push(w, w->off);
			if (!r && a->kind == PE_T_STRING)
				r = push(w, 0);
		}
		break;
	case BTF_KIND_ARRAY:
		if (!is_char(w->b, ((const struct btf_array *)btf_extra(t))->type) || !w->in_mem)
			return fail(w, "'%s' is %s: of arrays only char arrays print (as strings)",
				    w->path, spell(w, w->type, ts, sizeof(ts)));
		a->kind = PE_T_STRING;
		a->size = WORD;
		r = push(w, w->off);
		break;
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		btf_member_list(w->b, id, list, sizeof(list));
		return fail(w, "'%s' is %s: name one of its members with '.' (%s)", w->path,
			    spell(w, w->type, ts, sizeof(ts)), list);
	default:
		return fail(w, "'%s' is %s: cannot be printed", w->path, spell(w, w->type, ts, sizeof(ts)));
	}
	a->fetch = w->f;
	return r;
}

static int ident_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* The identifier at *s (advanced past it) into name. */
static int take_ident(const char **s, const char *end, char *name, size_t size)
{
	size_t n = 0;

	while (*s < end && ident_char(**s)) {
		if (n + 1 < size)
			name[n++] = **s;
		(*s)++;
	}
	name[n] = 0;
	return n > 0 && !(name[0] >= '0' && name[0] <= '9');
}

int probe_btf_claims(const struct probe_event *ev, const char *s, const char *end, int typed)
{
	size_t len = (size_t)(end - s);
	const struct btf_type *ret;
	const struct btf *b;
	uint32_t proto, size;
	unsigned kind;

	if (!len)
		return 0;
	if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_')
		return 1;
	if (*s != '$')
		return 0;
	for (const char *c = s; c < end; c++)	/* $argN->..., $retval.x */
		if (*c == '.' || (*c == '-' && c + 1 < end && c[1] == '>'))
			return 1;
	if (len != 7 || strncmp(s, "$retval", 7) || typed || ev->kind != 'r')
		return 0;
	/* plain $retval: typed by BTF when the function returns an integer or a pointer in ax */
	b = kernel_btf();
	proto = b ? btf_func_proto(b, ev->symbol, NULL) : 0;
	if (!proto)
		return 0;
	ret = btf_type_by_id(b, btf_resolve(b, btf_type_by_id(b, proto)->size_or_type));
	if (!ret || btf_size(b, btf_resolve(b, btf_type_by_id(b, proto)->size_or_type), &size) ||
	    size > WORD)
		return 0;
	kind = btf_kind(ret);
	return kind == BTF_KIND_INT || kind == BTF_KIND_ENUM || kind == BTF_KIND_ENUM64 ||
	       kind == BTF_KIND_PTR;
}

int probe_btf_fetch(const struct probe_event *ev, const char *s, const char *end, struct pe_arg *a,
		    int typed, int named, char *err, size_t err_size)
{
	static struct walk w;	/* parsing is not reentrant; keep it off the stack */
	const char *p = s;
	char name[PE_NAME_MAX * 2];
	uint32_t proto;
	int r;

	memset(&w, 0, sizeof(w));
	w.err = err;
	w.err_size = err_size;
	if ((size_t)(end - s) >= sizeof(w.path))
		return fail(&w, "too long");
	memcpy(w.path, s, (size_t)(end - s));
	w.path[end - s] = 0;
	if ((r = proto_of(&w, ev, &proto)))
		return r;
	if (!strncmp(p, "$retval", 7)) {
		p += 7;
		strlcpy(w.path, "$retval", sizeof(w.path));
		if (ev->kind != 'r')
			return fail(&w, "$retval is only known at return: use it in an r: event");
		w.type = btf_type_by_id(w.b, proto)->size_or_type;
		w.f.base = PE_RETVAL;
	} else if (!strncmp(p, "$arg", 4)) {
		const char *e;
		unsigned long n;

		if (parse_ulong(p + 4, &e, &n) || e > end || e == p + 4)
			return fail(&w, "expected $argN->MEMBER");
		memcpy(w.path, p, (size_t)(e - p));
		w.path[e - p] = 0;
		if (n >= btf_vlen(btf_type_by_id(w.b, proto))) {
			param_list(w.b, proto, name, sizeof(name));
			return fail(&w, "%s has no %s (parameters: %s)", ev->symbol, w.path, name);
		}
		if ((r = param_start(&w, ev, proto, (unsigned)n)))
			return r;
		p = e;
	} else {
		const struct btf_type *t = btf_type_by_id(w.b, proto);
		const struct btf_param *prm = btf_extra(t);
		unsigned i;

		if (!take_ident(&p, end, name, sizeof(name)))
			return fail(&w, "expected a parameter name");
		strlcpy(w.path, name, sizeof(w.path));
		for (i = 0; i < btf_vlen(t); i++)
			if (!strcmp(btf_str(w.b, prm[i].name_off), name))
				break;
		if (i == btf_vlen(t)) {
			char list[PE_DEF_MAX];

			param_list(w.b, proto, list, sizeof(list));
			return fail(&w, "%s has no parameter '%s' (parameters: %s)", ev->symbol, name, list);
		}
		if ((r = param_start(&w, ev, proto, i)))
			return r;
	}
	while (p < end) {
		int arrow = p + 1 < end && p[0] == '-' && p[1] == '>';

		if (!arrow && *p != '.')
			return fail(&w, "expected '->' or '.' after '%s'", w.path);
		p += arrow ? 2 : 1;
		if (!take_ident(&p, end, name, sizeof(name)))
			return fail(&w, "expected a member name after '%s%s'", w.path, arrow ? "->" : ".");
		if ((r = member(&w, name, arrow)))
			return r;
	}
	if ((r = finish(&w, a, typed)))
		return r;
	if (!named && w.path[0] != '$') {	/* req->len prints as req_len= */
		size_t n = 0;

		for (const char *c = w.path; *c && n + 1 < sizeof(name); c++)
			if (ident_char(*c))
				name[n++] = *c;
			else if (*c == '.' || *c == '-')
				name[n++] = '_';
		name[n] = 0;
		if (n < PE_NAME_MAX)
			strlcpy(a->name, name, sizeof(a->name));
	}
	return 0;
}

int probe_btf_all_args(struct probe_event *ev, char *err, size_t err_size)
{
	static struct walk w;
	const struct btf_type *t;
	const struct btf_param *p;
	uint32_t proto;
	int r;

	memset(&w, 0, sizeof(w));
	w.err = err;
	w.err_size = err_size;
	strlcpy(w.path, "$arg*", sizeof(w.path));
	if ((r = proto_of(&w, ev, &proto)))
		return r;
	t = btf_type_by_id(w.b, proto);
	p = btf_extra(t);
	if (!btf_vlen(t))
		return fail(&w, "%s takes no parameters", ev->symbol);
	for (unsigned i = 0; i < btf_vlen(t); i++) {
		struct pe_arg *a = &ev->args[ev->nargs];
		const char *pn = btf_str(w.b, p[i].name_off);

		if (!p[i].type)		/* the variadic part: nothing named */
			break;
		if (ev->nargs == PE_MAX_ARGS)
			return fail(&w, "%s has more parameters than the %d arguments an event has",
				    ev->symbol, PE_MAX_ARGS);
		memset(a, 0, sizeof(*a));
		if (pn[0] && strlen(pn) < PE_NAME_MAX)
			strlcpy(a->name, pn, sizeof(a->name));
		else
			snprintf(a->name, sizeof(a->name), "arg%d", ev->nargs + 1);
		strlcpy(w.path, a->name, sizeof(w.path));
		if ((r = param_start(&w, ev, proto, i)) || (r = finish(&w, a, 0)))
			return r;
		for (int j = 0; j < ev->nargs; j++)
			if (!strcmp(ev->args[j].name, a->name))
				return fail(&w, "a second argument called '%s'", a->name);
		ev->nargs++;
	}
	return 0;
}
