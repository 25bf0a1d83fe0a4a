/* The console registry: kinds, and console= filtering. */
#include <stddef.h>
#include "kernel/cmdline.h"
#include "kernel/dev/console.h"
#include "kernel/ktest.h"
#include "lib/string.h"

static char captured[64];
static size_t captured_len;

static void capture(struct console *con, const char *s, size_t n)
{
	(void)con;
	for (size_t i = 0; i < n && captured_len + 1 < sizeof(captured); i++)
		captured[captured_len++] = s[i];
	captured[captured_len] = 0;
}

/* A screen-kind console sees screen output only while screens are enabled. */
static void test_console_kinds(struct ktest *t)
{
	static struct console fake = { .name = "test", .kind = CON_SCREEN, .write = capture };

	console_register(&fake);
	captured_len = 0;
	printk_on(CON_SERIAL, "serial only\n");
	KEXPECT_EQ(t, captured_len, 0);
	printk_on(CON_SCREEN, "to the screen");
	KEXPECT(t, !strcmp(captured, "to the screen"));
	console_enable_kinds(CON_SERIAL);
	captured_len = 0;
	printk_on(CON_SCREEN, "filtered");
	console_enable_kinds(kopt.consoles);
	KEXPECT_EQ(t, captured_len, 0);
	fake.kind = 0;	/* stays registered, never written again */
}

static const struct ktest_case console_cases[] = {
	{ "kinds", test_console_kinds },
	{ 0 },
};
static const struct ktest_suite console_suite = { "console", console_cases, NULL };
KTEST_SUITE(console_suite);
