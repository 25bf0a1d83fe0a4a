/* printf-style formatting without libc; see format.h. */
#include <stdint.h>
#include "lib/format.h"
#include "lib/string.h"

struct spec {
	int left, zero, plus, space, alt;
	int width, precision;	/* precision < 0: none */
};

struct out {
	format_sink sink;
	void *ctx;
	int count;
};

static void emit(struct out *o, const char *s, size_t n)
{
	if (n) {
		o->sink(o->ctx, s, n);
		o->count += (int)n;
	}
}

static void pad(struct out *o, char c, int n)
{
	char buf[16];

	memset(buf, c, sizeof(buf));
	while (n > 0) {
		int k = n < (int)sizeof(buf) ? n : (int)sizeof(buf);
		emit(o, buf, k);
		n -= k;
	}
}

/* Emit prefix + digits with width/precision/zero-fill rules applied. */
static void emit_number(struct out *o, const struct spec *sp, const char *prefix,
			const char *digits, int ndigits)
{
	int plen = (int)strlen(prefix);
	int zeros = sp->precision > ndigits ? sp->precision - ndigits : 0;
	int total = plen + zeros + ndigits;
	int fill = sp->width > total ? sp->width - total : 0;

	if (sp->zero && !sp->left && sp->precision < 0) {
		zeros += fill;
		fill = 0;
	}
	if (!sp->left)
		pad(o, ' ', fill);
	emit(o, prefix, plen);
	pad(o, '0', zeros);
	emit(o, digits, ndigits);
	if (sp->left)
		pad(o, ' ', fill);
}

static void format_unsigned(struct out *o, const struct spec *sp, uint64_t v,
			    unsigned base, int upper, const char *prefix)
{
	const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = sizeof(buf);

	while (v) {
		buf[--n] = set[v % base];
		v /= base;
	}
	if (n == (int)sizeof(buf) && sp->precision != 0)
		buf[--n] = '0';
	emit_number(o, sp, prefix, buf + n, (int)sizeof(buf) - n);
}

static void format_string(struct out *o, const struct spec *sp, const char *s)
{
	int len;
	int fill;

	if (!s)
		s = "(null)";
	len = (int)(sp->precision >= 0 ? strnlen(s, sp->precision) : strlen(s));
	fill = sp->width > len ? sp->width - len : 0;
	if (!sp->left)
		pad(o, ' ', fill);
	emit(o, s, len);
	if (sp->left)
		pad(o, ' ', fill);
}

static int parse_int(const char **p, va_list *ap)
{
	int v = 0;

	if (**p == '*') {
		(*p)++;
		return va_arg(*ap, int);
	}
	while (**p >= '0' && **p <= '9')
		v = v * 10 + (*(*p)++ - '0');
	return v;
}

int format(format_sink sink, void *ctx, const char *fmt, va_list ap_in)
{
	struct out o = { sink, ctx, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		struct spec sp = { 0, 0, 0, 0, 0, 0, -1 };
		const char *start = fmt;
		int lng = 0;	/* -2 hh, -1 h, 0 int, 1 long, 2 long long, 3 size_t */
		uint64_t u;
		int64_t s;

		while (*fmt && *fmt != '%')
			fmt++;
		emit(&o, start, fmt - start);
		if (!*fmt)
			break;
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-') sp.left = 1;
			else if (*fmt == '0') sp.zero = 1;
			else if (*fmt == '+') sp.plus = 1;
			else if (*fmt == ' ') sp.space = 1;
			else if (*fmt == '#') sp.alt = 1;
			else break;
		}
		sp.width = parse_int(&fmt, &ap);
		if (sp.width < 0) {
			sp.left = 1;
			sp.width = -sp.width;
		}
		if (*fmt == '.') {
			fmt++;
			sp.precision = parse_int(&fmt, &ap);
		}
		for (;; fmt++) {
			if (*fmt == 'h') lng = lng == -1 ? -2 : -1;
			else if (*fmt == 'l') lng++;
			else if (*fmt == 'z' || *fmt == 't') lng = 3;
			else if (*fmt == 'j') lng = 2;
			else break;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			if (lng >= 2 && lng != 3) s = va_arg(ap, long long);
			else if (lng == 1 || lng == 3) s = va_arg(ap, long);
			else s = va_arg(ap, int);
			if (lng == -1) s = (short)s;
			if (lng == -2) s = (signed char)s;
			u = s < 0 ? -(uint64_t)s : (uint64_t)s;
			format_unsigned(&o, &sp, u, 10, 0,
					s < 0 ? "-" : sp.plus ? "+" : sp.space ? " " : "");
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			if (lng == 2) u = va_arg(ap, unsigned long long);
			else if (lng == 1 || lng == 3) u = va_arg(ap, unsigned long);
			else u = va_arg(ap, unsigned int);
			if (lng == -1) u = (unsigned short)u;
			if (lng == -2) u = (unsigned char)u;
			if (*fmt == 'u')
				format_unsigned(&o, &sp, u, 10, 0, "");
			else if (*fmt == 'o')
				format_unsigned(&o, &sp, u, 8, 0, sp.alt && u ? "0" : "");
			else
				format_unsigned(&o, &sp, u, 16, *fmt == 'X',
						sp.alt && u ? (*fmt == 'X' ? "0X" : "0x") : "");
			break;
		case 'p':
			u = (uintptr_t)va_arg(ap, void *);
			if (sp.precision < 0)
				sp.precision = (int)sizeof(void *) * 2;
			format_unsigned(&o, &sp, u, 16, 0, "0x");
			break;
		case 'c': {
			char c = (char)va_arg(ap, int);
			struct spec cs = sp;
			char str[2] = { c, 0 };

			cs.precision = 1;
			if (c == 0) {
				pad(&o, ' ', sp.left ? 0 : sp.width - 1);
				emit(&o, str, 1);
				pad(&o, ' ', sp.left ? sp.width - 1 : 0);
			} else {
				format_string(&o, &cs, str);
			}
			break;
		}
		case 's':
			format_string(&o, &sp, va_arg(ap, const char *));
			break;
		case '%':
			emit(&o, "%", 1);
			break;
		case 0:
			fmt--;	/* lone '%' at the end: print nothing more */
			break;
		default:
			/* Unknown conversion: print it as written so the mistake shows. */
			emit(&o, "%", 1);
			emit(&o, fmt, 1);
			break;
		}
		fmt++;
	}
	va_end(ap);
	return o.count;
}

struct buf_ctx {
	char *buf;
	size_t size, len;
};

static void buf_sink(void *ctx, const char *s, size_t n)
{
	struct buf_ctx *b = ctx;

	for (size_t i = 0; i < n; i++, b->len++)
		if (b->len + 1 < b->size)
			b->buf[b->len] = s[i];
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_ctx b = { buf, size, 0 };
	int n = format(buf_sink, &b, fmt, ap);

	if (size)
		buf[b.len < size ? b.len : size - 1] = 0;
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->len + 1 >= sb->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(sb->buf + sb->len, sb->size - sb->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->len = sb->len + n < sb->size ? sb->len + n : sb->size - 1;
}
