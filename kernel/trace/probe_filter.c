/*
 * Probe event filters (see probe_events.h): `size >= 4096 && name ~ "k*"`.
 * Parsed once, by recursive descent, into a postfix program that a hit runs
 * over the values it fetched: no allocation, no recursion on the hit path.
 *
 *   expr  := and ( "||" and )*
 *   and   := unary ( "&&" unary )*
 *   unary := "!" unary | "(" expr ")" | NAME OP VALUE
 */
#include <stdarg.h>
#include "kernel/compiler.h"
#include "kernel/errno.h"
#include "kernel/trace/probe_events.h"
#include "lib/format.h"
#include "lib/string.h"

struct fparser {
	const struct probe_event *ev;
	struct pe_filter *f;
	const char *p;
	char *err;
	size_t err_size;
	int depth;
};

static int __printf(2, 3) ferr(struct fparser *ps, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(ps->err, ps->err_size, "filter at '%.16s': ", *ps->p ? ps->p : "(end)");

	if (n > 0 && (size_t)n < ps->err_size) {
		va_start(ap, fmt);
		vsnprintf(ps->err + n, ps->err_size - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void skip_space(struct fparser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

/* Consume tok if it comes next. */
static int accept(struct fparser *ps, const char *tok)
{
	size_t n = strlen(tok);

	skip_space(ps);
	if (strncmp(ps->p, tok, n))
		return 0;
	ps->p += n;
	return 1;
}

static int emit(struct fparser *ps, uint8_t op, const struct pe_cond *c)
{
	if (ps->f->n == PE_FILTER_OPS)
		return ferr(ps, "more than %d conditions and operators", PE_FILTER_OPS);
	ps->f->op[ps->f->n] = op;
	if (c)
		ps->f->cond[ps->f->n] = *c;
	ps->f->n++;
	return 0;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static int unknown_name(struct fparser *ps, const char *name)
{
	char names[128] = "";
	struct strbuf l = { names, sizeof(names), 0 };

	for (int i = 0; i < ps->ev->nargs; i++)
		strbuf_addf(&l, "%s%s", i ? " " : "", ps->ev->args[i].name);
	return ferr(ps, "no argument called '%s' (the event has: %s)", name,
		    ps->ev->nargs ? names : "no arguments");
}

static const struct { const char *tok; uint8_t cmp; } cmps[] = {
	{ "==", PC_EQ }, { "!=", PC_NE }, { "<=", PC_LE }, { ">=", PC_GE },
	{ "<", PC_LT }, { ">", PC_GT }, { "~", PC_GLOB }, { "&", PC_AND },
};

static int parse_value(struct fparser *ps, struct pe_cond *c, int is_string)
{
	skip_space(ps);
	if (*ps->p == '"') {
		const char *s = ++ps->p;
		size_t n;

		while (*ps->p && *ps->p != '"')
			ps->p++;
		if (!*ps->p)
			return ferr(ps, "a string without its closing '\"'");
		n = (size_t)(ps->p - s);
		ps->p++;
		if (!is_string)
			return ferr(ps, "a string compared with a number argument");
		if (n >= sizeof(c->str))
			return ferr(ps, "strings in filters are at most %d characters",
				    (int)sizeof(c->str) - 1);
		memcpy(c->str, s, n);
		c->str[n] = 0;
		if (c->cmp == PC_EQ)
			c->cmp = PC_GLOB;
		else if (c->cmp == PC_NE)
			c->cmp = PC_NOT_GLOB;
		else if (c->cmp != PC_GLOB)
			return ferr(ps, "strings compare with ==, != or ~ only");
		return 0;
	}
	if (is_string)
		return ferr(ps, "expected a \"quoted\" string for a string argument");
	if (c->cmp == PC_GLOB)
		return ferr(ps, "~ compares strings");
	{
		int neg = *ps->p == '-';
		const char *end;
		unsigned long v;

		if (parse_ulong(ps->p + neg, &end, &v) || end == ps->p + neg || is_name_char(*end))
			return ferr(ps, "expected a number (decimal, 0x hex, or negative; at most %d bits)",
				    (int)sizeof(long) * 8);
		c->value = neg ? (uint64_t)-(int64_t)v : (uint64_t)v;
		ps->p = end;
	}
	return 0;
}

static int parse_cond(struct fparser *ps)
{
	struct pe_cond c = { 0 };
	char name[PE_NAME_MAX];
	size_t n = 0;
	int i;

	skip_space(ps);
	while (is_name_char(ps->p[n]))
		n++;
	if (!n)
		return ferr(ps, "expected an argument name, '(' or '!'");
	if (n >= sizeof(name))
		return ferr(ps, "name too long");
	memcpy(name, ps->p, n);
	name[n] = 0;
	for (i = 0; i < ps->ev->nargs; i++)
		if (!strcmp(ps->ev->args[i].name, name))
			break;
	if (i == ps->ev->nargs)
		return unknown_name(ps, name);
	ps->p += n;
	c.arg = (uint8_t)i;
	skip_space(ps);
	for (size_t k = 0; k < ARRAY_SIZE(cmps); k++)
		if (!strncmp(ps->p, cmps[k].tok, strlen(cmps[k].tok)) &&
		    !(cmps[k].cmp == PC_AND && ps->p[1] == '&')) {
			c.cmp = cmps[k].cmp;
			ps->p += strlen(cmps[k].tok);
			if (parse_value(ps, &c, ps->ev->args[i].kind == PE_T_STRING))
				return -EINVAL;
			return emit(ps, PF_COND, &c);
		}
	return ferr(ps, "expected one of == != < <= > >= & ~ after '%s'", name);
}

static int parse_expr(struct fparser *ps);

static int parse_unary(struct fparser *ps)
{
	if (accept(ps, "!") )
		return parse_unary(ps) ? -EINVAL : emit(ps, PF_NOT, NULL);
	if (accept(ps, "(")) {
		if (++ps->depth > PE_FILTER_OPS)
			return ferr(ps, "parentheses nested too deep");
		if (parse_expr(ps))
			return -EINVAL;
		if (!accept(ps, ")"))
			return ferr(ps, "expected ')'");
		ps->depth--;
		return 0;
	}
	return parse_cond(ps);
}

static int parse_and(struct fparser *ps)
{
	if (parse_unary(ps))
		return -EINVAL;
	while (accept(ps, "&&"))
		if (parse_unary(ps) || emit(ps, PF_AND, NULL))
			return -EINVAL;
	return 0;
}

static int parse_expr(struct fparser *ps)
{
	if (parse_and(ps))
		return -EINVAL;
	while (accept(ps, "||"))
		if (parse_and(ps) || emit(ps, PF_OR, NULL))
			return -EINVAL;
	return 0;
}

int pe_filter_parse(const struct probe_event *ev, const char *expr, struct pe_filter *f, char *err,
		    size_t err_size)
{
	struct pe_filter out = { 0 };
	struct fparser ps = { ev, &out, expr, err, err_size, 0 };

	err[0] = 0;
	if (parse_expr(&ps))
		return -EINVAL;
	skip_space(&ps);
	if (*ps.p)
		return ferr(&ps, "expected && || or the end");
	*f = out;
	return 0;
}

/* ---- at a hit ----------------------------------------------------------- */

static int glob_n(const char *pat, const char *s, unsigned len)
{
	char buf[PE_STRING_MAX + 1];

	if (len > PE_STRING_MAX)
		len = PE_STRING_MAX;
	memcpy(buf, s, len);
	buf[len] = 0;
	return glob_match(pat, buf);
}

static __noprobe int cond_true(const struct pe_cond *c, const struct pe_arg *a, const struct pe_value *v)
{
	unsigned bits = a->size * 8;
	uint64_t x = v->v, y = c->value;

	if (v->fault)
		return 0;
	if (c->cmp == PC_GLOB || c->cmp == PC_NOT_GLOB)
		return glob_n(c->str, v->s, v->len) == (c->cmp == PC_GLOB);
	if (bits < 64)
		x &= (1ull << bits) - 1;
	if (a->kind == PE_T_S) {
		int64_t sx = (int64_t)x, sy = (int64_t)y;

		if (bits < 64 && (x >> (bits - 1)) & 1)
			sx = (int64_t)(x | ~0ull << bits);
		switch (c->cmp) {
		case PC_LT: return sx < sy;
		case PC_LE: return sx <= sy;
		case PC_GT: return sx > sy;
		case PC_GE: return sx >= sy;
		case PC_EQ: return sx == sy;
		case PC_NE: return sx != sy;
		}
	}
	switch (c->cmp) {
	case PC_EQ: return x == y;
	case PC_NE: return x != y;
	case PC_LT: return x < y;
	case PC_LE: return x <= y;
	case PC_GT: return x > y;
	case PC_GE: return x >= y;
	case PC_AND: return (x & y) != 0;
	}
	return 0;
}

__noprobe int pe_filter_match(const struct pe_filter *f, const struct probe_event *ev,
			      const struct pe_value *values)
{
	uint8_t stack[PE_FILTER_OPS];
	int sp = 0;

	if (!f->n)
		return 1;
	for (int i = 0; i < f->n; i++) {
		switch (f->op[i]) {
		case PF_COND:
			stack[sp++] = (uint8_t)cond_true(&f->cond[i], &ev->args[f->cond[i].arg],
							  &values[f->cond[i].arg]);
			break;
		case PF_NOT:
			stack[sp - 1] = !stack[sp - 1];
			break;
		case PF_AND:
			sp--;
			stack[sp - 1] = stack[sp - 1] && stack[sp];
			break;
		case PF_OR:
			sp--;
			stack[sp - 1] = stack[sp - 1] || stack[sp];
			break;
		}
	}
	return stack[0];
}
