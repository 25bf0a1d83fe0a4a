/*
 * The PS/2 keyboard, polled (interrupts stay off). USB keyboards reach it
 * through the firmware's legacy emulation. Scancode set 1 (the i8042
 * translates set 2 into it; kbd_init turns translation on if it was off).
 */
#ifndef KERNEL_KBD_H
#define KERNEL_KBD_H
#include <stdint.h>

/* Keys that are no character (returned by kbd_decode, kbd_read). */
enum {
	KEY_UP = 0x100, KEY_DOWN, KEY_LEFT, KEY_RIGHT, KEY_HOME, KEY_END,
	KEY_PGUP, KEY_PGDN, KEY_DELETE, KEY_INSERT,
};

/* Decoder state: modifiers, a pending 0xe0 / 0xe1 prefix. */
struct kbd_state {
	uint8_t shift, ctrl, alt, caps;
	uint8_t prefix;		/* 0xe0: extended key follows */
	uint8_t skip;		/* bytes of a pause sequence still to drop */
};

/*
 * Feed one set-1 byte: returns an ASCII character (shift, caps lock and
 * ctrl applied; Enter is '\n', Backspace '\b'), a KEY_* code, or -1 when the
 * byte completes no key (releases, modifiers, prefixes).
 */
int kbd_decode(struct kbd_state *s, uint8_t code);

/* Find the controller; 0, or -1 when there is none (reads give -1 then). */
int kbd_init(void);
/* A key if one is waiting (mouse bytes are dropped), else -1. Never blocks. */
int kbd_read(void);

#endif
