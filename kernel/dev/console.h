/*
 * Consoles: COM1 serial, VGA text, framebuffer text. printk() writes to all
 * of them; printk_on() to a subset (KTAP and BENCH lines go to serial only).
 */
#ifndef KERNEL_CONSOLE_H
#define KERNEL_CONSOLE_H
#include <stdarg.h>
#include <stddef.h>
#include "kernel/compiler.h"

enum console_kind {
	CON_SERIAL = 1,
	CON_SCREEN = 2,
	CON_ALL = CON_SERIAL | CON_SCREEN,
};

struct console {
	const char *name;
	enum console_kind kind;
	void (*write)(struct console *con, const char *s, size_t n);
	struct console *next;
};

void console_register(struct console *con);
/* Only these kinds print from now on (console=serial|screen|all). */
void console_enable_kinds(unsigned kinds);
void console_write(unsigned kinds, const char *s, size_t n);
int console_present(unsigned kinds);
void console_list(void);

int printk(const char *fmt, ...) __printf(1, 2);
int printk_on(unsigned kinds, const char *fmt, ...) __printf(2, 3);
int vprintk_on(unsigned kinds, const char *fmt, va_list ap);

/* serial.c */
int serial_init(void);
int serial_read_char(void);	/* -1 if nothing is waiting */

#endif
