/*
 * PS/2 keyboard through the i8042 controller, polled: status port 0x64
 * (bit 0: a byte is waiting, bit 1: the controller is busy, bit 5: the
 * byte is from the mouse), data port 0x60. US layout, scancode set 1.
 */
#include "kernel/dev/kbd.h"
#include "kernel/cpu.h"

#define KBC_DATA	0x60
#define KBC_STATUS	0x64
#define KBC_CMD		0x64
#define ST_OUT_FULL	0x01
#define ST_IN_FULL	0x02
#define ST_AUX		0x20
#define CMD_READ_CFG	0x20
#define CMD_WRITE_CFG	0x60
#define CFG_XLATE	0x40	/* translate set 2 to set 1 */
#define SPINS		100000	/* bounded waits: a dead controller must not hang us */

/* Set 1 make codes 0x00-0x58 -> characters, without and with shift. */
static const char plain[0x59] =
	"\0\0331234567890-=\b\tqwertyuiop[]\n\0asdfghjkl;'`\0\\zxcvbnm,./\0*\0 \0"
	"\0\0\0\0\0\0\0\0\0\0\0\0" "789-456+1230.";
static const char shifted[0x59] =
	"\0\033!@#$%^&*()_+\b\tQWERTYUIOP{}\n\0ASDFGHJKL:\"~\0|ZXCVBNM<>?\0*\0 \0"
	"\0\0\0\0\0\0\0\0\0\0\0\0" "789-456+1230.";

enum {
	SC_LCTRL = 0x1d, SC_LSHIFT = 0x2a, SC_RSHIFT = 0x36, SC_ALT = 0x38, SC_CAPS = 0x3a,
	SC_RELEASE = 0x80,
};

static int extended(uint8_t code)
{
	switch (code) {
	case 0x1c: return '\n';		/* keypad Enter */
	case 0x35: return '/';		/* keypad / */
	case 0x47: return KEY_HOME;
	case 0x48: return KEY_UP;
	case 0x49: return KEY_PGUP;
	case 0x4b: return KEY_LEFT;
	case 0x4d: return KEY_RIGHT;
	case 0x4f: return KEY_END;
	case 0x50: return KEY_DOWN;
	case 0x51: return KEY_PGDN;
	case 0x52: return KEY_INSERT;
	case 0x53: return KEY_DELETE;
	}
	return -1;
}

int kbd_decode(struct kbd_state *s, uint8_t code)
{
	int release = code & SC_RELEASE, prefix = s->prefix;
	uint8_t key = code & ~SC_RELEASE;
	char c;

	if (s->skip) {			/* the rest of Pause: e1 1d 45 e1 9d c5 */
		s->skip--;
		return -1;
	}
	if (code == 0xe0) {
		s->prefix = 0xe0;
		return -1;
	}
	if (code == 0xe1) {
		s->skip = 5;
		return -1;
	}
	s->prefix = 0;
	if (key == SC_LCTRL) {		/* left or (e0) right */
		s->ctrl = !release;
		return -1;
	}
	if (key == SC_ALT) {
		s->alt = !release;
		return -1;
	}
	if (prefix == 0xe0) {
		/* e0 2a / e0 36 are fake shifts around Print Screen & co. */
		return release ? -1 : extended(key);
	}
	if (key == SC_LSHIFT || key == SC_RSHIFT) {
		s->shift = !release;
		return -1;
	}
	if (key == SC_CAPS) {
		if (!release)
			s->caps = !s->caps;
		return -1;
	}
	if (release || key >= sizeof(plain))
		return -1;
	c = s->shift ? shifted[key] : plain[key];
	if (!c)
		return -1;		/* function keys, lock keys */
	if (s->caps && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		c ^= 0x20;
	if (s->ctrl && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
		return c & 0x1f;
	return (uint8_t)c;
}

static struct kbd_state state;
static int present;

static int wait_in_empty(void)
{
	for (int i = 0; i < SPINS; i++)
		if (!(inb(KBC_STATUS) & ST_IN_FULL))
			return 0;
	return -1;
}

static int read_reply(void)
{
	for (int i = 0; i < SPINS; i++) {
		uint8_t st = inb(KBC_STATUS);

		if ((st & (ST_OUT_FULL | ST_AUX)) == ST_OUT_FULL)
			return inb(KBC_DATA);
		if (st & ST_OUT_FULL)
			inb(KBC_DATA);	/* a mouse byte in the way */
	}
	return -1;
}

int kbd_init(void)
{
	int cfg;

	/* No i8042 (legacy-free machines): the status port floats to 0xff. */
	if (inb(KBC_STATUS) == 0xff) {
		present = 0;
		return -1;
	}
	for (int i = 0; i < 64 && (inb(KBC_STATUS) & ST_OUT_FULL); i++)
		inb(KBC_DATA);		/* keys typed during boot, stale replies */
	/* Set 1 is what we decode: make sure the controller translates. */
	if (wait_in_empty() == 0) {
		outb(KBC_CMD, CMD_READ_CFG);
		cfg = read_reply();
		if (cfg >= 0 && !(cfg & CFG_XLATE) && wait_in_empty() == 0) {
			outb(KBC_CMD, CMD_WRITE_CFG);
			if (wait_in_empty() == 0)
				outb(KBC_DATA, (uint8_t)(cfg | CFG_XLATE));
		}
	}
	state = (struct kbd_state){ 0 };
	present = 1;
	return 0;
}

int kbd_read(void)
{
	if (!present)
		return -1;
	/* Bounded: a stream of releases and mouse bytes still returns. */
	for (int i = 0; i < 16; i++) {
		uint8_t st = inb(KBC_STATUS);
		int c;

		if (!(st & ST_OUT_FULL))
			return -1;
		c = inb(KBC_DATA);
		if (st & ST_AUX)
			continue;
		c = kbd_decode(&state, (uint8_t)c);
		if (c >= 0)
			return c;
	}
	return -1;
}
