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

#endif
