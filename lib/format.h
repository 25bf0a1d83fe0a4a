/*
 * printf-style formatting without libc. Supports %d %i %u %x %X %o %p %s %c
 * %%, flags '-' '0' ' ' '+' '#', width and precision (also '*'), and the
 * length modifiers hh h l ll z t j. %p prints 0x and all hex digits.
 */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H
#include <stdarg.h>
#include <stddef.h>

/* Output sink: called with runs of characters. */
typedef void (*format_sink)(void *ctx, const char *s, size_t n);

int format(format_sink sink, void *ctx, const char *fmt, va_list ap);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Text built piece by piece in a fixed buffer: appends truncate, and the
 * buffer stays NUL-terminated. Start with { buf, size, 0 } and buf[0] = 0.
 */
struct strbuf {
	char *buf;
	size_t size, len;
};
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
