/* The console registry and printk. */
#include "kernel/dev/console.h"
#include "lib/format.h"

static struct console *consoles;
static unsigned enabled = CON_ALL;	/* console= on the command line */

void console_enable_kinds(unsigned kinds)
{
	enabled = kinds;
}

void console_register(struct console *con)
{
	struct console **p = &consoles;

	while (*p)
		p = &(*p)->next;
	con->next = NULL;
	*p = con;
}

void console_write(unsigned kinds, const char *s, size_t n)
{
	kinds &= enabled;
	for (struct console *c = consoles; c; c = c->next)
		if (c->kind & kinds)
			c->write(c, s, n);
}

int console_present(unsigned kinds)
{
	for (struct console *c = consoles; c; c = c->next)
		if (c->kind & kinds)
			return 1;
	return 0;
}

void console_list(void)
{
	printk("consoles:");
	for (struct console *c = consoles; c; c = c->next)
		printk(" %s", c->name);
	printk("\n");
}

static void console_sink(void *ctx, const char *s, size_t n)
{
	console_write(*(unsigned *)ctx, s, n);
}

int vprintk_on(unsigned kinds, const char *fmt, va_list ap)
{
	return format(console_sink, &kinds, fmt, ap);
}

int printk_on(unsigned kinds, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk_on(kinds, fmt, ap);
	va_end(ap);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk_on(CON_ALL, fmt, ap);
	va_end(ap);
	return n;
}
