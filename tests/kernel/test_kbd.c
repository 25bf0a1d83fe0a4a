/* The scancode set 1 decoder: characters, shift, caps lock, ctrl, prefixes. */
#include <stddef.h>
#include "kernel/dev/kbd.h"
#include "kernel/ktest.h"

/* Feed codes; the last key decoded (or -1). */
static int feed(struct kbd_state *s, const uint8_t *codes, unsigned n)
{
	int last = -1;

	for (unsigned i = 0; i < n; i++) {
		int c = kbd_decode(s, codes[i]);

		if (c >= 0)
			last = c;
	}
	return last;
}

#define FEED(s, ...) \
	feed((s), (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ }))

static void test_plain(struct ktest *t)
{
	struct kbd_state s = { 0 };

	KEXPECT_EQ(t, kbd_decode(&s, 0x1e), 'a');
	KEXPECT_EQ(t, kbd_decode(&s, 0x9e), -1);	/* release */
	KEXPECT_EQ(t, kbd_decode(&s, 0x02), '1');
	KEXPECT_EQ(t, kbd_decode(&s, 0x1c), '\n');
	KEXPECT_EQ(t, kbd_decode(&s, 0x0e), '\b');
	KEXPECT_EQ(t, kbd_decode(&s, 0x39), ' ');
	KEXPECT_EQ(t, kbd_decode(&s, 0x2b), '\\');
	KEXPECT_EQ(t, kbd_decode(&s, 0x3b), -1);	/* F1 */
}

static void test_modifiers(struct ktest *t)
{
	struct kbd_state s = { 0 };

	KEXPECT_EQ(t, FEED(&s, 0x2a, 0x05), '$');	/* left shift + 4 */
	KEXPECT_EQ(t, FEED(&s, 0xaa, 0x05), '4');	/* released */
	KEXPECT_EQ(t, FEED(&s, 0x36, 0x27, 0xb6), ':');	/* right shift + ; */
	KEXPECT_EQ(t, FEED(&s, 0x3a, 0xba, 0x1e), 'A');	/* caps lock */
	KEXPECT_EQ(t, FEED(&s, 0x2a, 0x1e, 0xaa), 'a');	/* caps + shift */
	KEXPECT_EQ(t, FEED(&s, 0x02), '1');		/* caps leaves digits */
	KEXPECT_EQ(t, FEED(&s, 0x3a, 0xba, 0x1e), 'a');	/* caps off */
	KEXPECT_EQ(t, FEED(&s, 0x1d, 0x2e, 0x9d), 3);	/* Ctrl-C */
	KEXPECT_EQ(t, FEED(&s, 0xe0, 0x1d, 0x16, 0xe0, 0x9d), 21);	/* right Ctrl-U */
	KEXPECT_EQ(t, FEED(&s, 0x2e), 'c');
}

static void test_prefixes(struct ktest *t)
{
	struct kbd_state s = { 0 };

	KEXPECT_EQ(t, FEED(&s, 0xe0, 0x48), KEY_UP);
	KEXPECT_EQ(t, FEED(&s, 0xe0, 0xc8), -1);
	KEXPECT_EQ(t, FEED(&s, 0xe0, 0x50), KEY_DOWN);
	KEXPECT_EQ(t, FEED(&s, 0xe0, 0x1c), '\n');	/* keypad Enter */
	KEXPECT_EQ(t, FEED(&s, 0xe0, 0x2a, 0x1e), 'a');	/* a fake shift is no shift */
	KEXPECT_EQ(t, FEED(&s, 0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5), -1);	/* Pause */
	KEXPECT_EQ(t, FEED(&s, 0x1f), 's');
}

static const struct ktest_case kbd_cases[] = {
	{ "plain", test_plain },
	{ "modifiers", test_modifiers },
	{ "prefixes", test_prefixes },
	{ 0 },
};
static const struct ktest_suite kbd_suite = { "kbd", kbd_cases, NULL };
KTEST_SUITE(kbd_suite);
