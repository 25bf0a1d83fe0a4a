/*
 * Screen consoles: the text grid on a small private screen whose backend
 * records what it is asked to draw, the framebuffer renderer on a
 * framebuffer in ordinary memory, and the font in the VGA character
 * generator when VGA text mode is live.
 */
#include "kernel/bootinfo.h"
#include "kernel/ktest.h"
#include "kernel/dev/screen.h"
#include "lib/font.h"
#include "lib/string.h"

#define COLS 8
#define ROWS 3

static uint16_t grid[COLS * ROWS];
static uint16_t shown[COLS * ROWS];	/* what the fake backend displays */
static unsigned draws, cur_x, cur_y;

static void fake_draw(void *dev, unsigned x, unsigned y, uint16_t cell)
{
	(void)dev;
	shown[y * COLS + x] = cell;
	draws++;
}

static void fake_cursor(void *dev, unsigned x, unsigned y)
{
	(void)dev;
	cur_x = x;
	cur_y = y;
}

static struct screen *fresh(void)
{
	static struct screen s;

	memset(shown, 0, sizeof(shown));
	screen_init(&s, grid, COLS, ROWS, NULL, fake_draw, fake_cursor);
	draws = 0;
	return &s;
}

static void put(struct screen *s, const char *text)
{
	screen_write(s, text, strlen(text));
}

/* Row y as text (glyphs below 0x80 only); also checks display == grid. */
static int row_is(struct screen *s, unsigned y, const char *want)
{
	char got[COLS + 1];
	unsigned n = COLS;

	for (unsigned x = 0; x < COLS; x++) {
		got[x] = s->cells[y * COLS + x] & 0xff;
		if (shown[y * COLS + x] != s->cells[y * COLS + x])
			return 0;
	}
	while (n && got[n - 1] == ' ')
		n--;
	got[n] = 0;
	return !strcmp(got, want);
}

static void test_wrap(struct ktest *t)
{
	struct screen *s = fresh();

	put(s, "abcdefghij");
	KEXPECT(t, row_is(s, 0, "abcdefgh"));
	KEXPECT(t, row_is(s, 1, "ij"));
	KEXPECT_EQ(t, cur_x, 2);
	KEXPECT_EQ(t, cur_y, 1);
	/* A full line then '\n' moves down once, not twice. */
	s = fresh();
	put(s, "12345678\nx");
	KEXPECT(t, row_is(s, 0, "12345678"));
	KEXPECT(t, row_is(s, 1, "x"));
	KEXPECT(t, row_is(s, 2, ""));
}

static void test_scroll(struct ktest *t)
{
	struct screen *s = fresh();

	put(s, "one\ntwo\nthree\nfour");
	KEXPECT(t, row_is(s, 0, "two"));
	KEXPECT(t, row_is(s, 1, "three"));
	KEXPECT(t, row_is(s, 2, "four"));
	KEXPECT_EQ(t, cur_y, 2);
	/* Scrolling identical lines redraws nothing that stays the same. */
	s = fresh();
	put(s, "same\nsame\nsame");
	draws = 0;
	put(s, "\nsame");
	KEXPECT_EQ(t, draws, 4 + 4);	/* blanking the bottom line's 4 letters, then "same" */
	KEXPECT(t, row_is(s, 0, "same"));
	KEXPECT(t, row_is(s, 1, "same"));
	KEXPECT(t, row_is(s, 2, "same"));
}

static void test_controls(struct ktest *t)
{
	struct screen *s = fresh();

	put(s, "abc\rX");
	KEXPECT(t, row_is(s, 0, "Xbc"));
	put(s, "\tY");
	KEXPECT(t, row_is(s, 0, "Xbc"));
	KEXPECT(t, row_is(s, 1, "Y"));	/* the tab went to column 8, the line's end */
	s = fresh();
	put(s, "ab\t");
	KEXPECT_EQ(t, s->x, 8);
	put(s, "c");
	KEXPECT(t, row_is(s, 0, "ab"));
	KEXPECT(t, row_is(s, 1, "c"));
	s = fresh();
	put(s, "abc\b\bZ\b\b\b\bQ");
	KEXPECT(t, row_is(s, 0, "QZc"));
	put(s, "\a\x01\x7f");		/* other control codes draw nothing */
	KEXPECT(t, row_is(s, 0, "QZc"));
	KEXPECT_EQ(t, s->x, 1);
}

static void test_utf8(struct ktest *t)
{
	struct screen *s = fresh();

	put(s, "\xe2\x94\x80\xe2\x94\x82");	/* U+2500 U+2502: box drawing */
	KEXPECT_EQ(t, s->cells[0] & 0xff, 0xc4);
	KEXPECT_EQ(t, s->cells[1] & 0xff, 0xb3);
	put(s, "\xc3");				/* a sequence split across writes */
	put(s, "\xa9");				/* U+00E9 */
	KEXPECT_EQ(t, s->cells[2] & 0xff, 0x82);
	put(s, "\xe2\x82\xac");			/* U+20AC: not in the font */
	put(s, "\xff");				/* never valid */
	put(s, "\xe2\x94z");			/* truncated, then 'z' */
	KEXPECT_EQ(t, s->cells[3] & 0xff, '?');
	KEXPECT_EQ(t, s->cells[4] & 0xff, '?');
	KEXPECT_EQ(t, s->cells[5] & 0xff, '?');
	KEXPECT_EQ(t, s->cells[6] & 0xff, 'z');
	KEXPECT_EQ(t, font_glyph(0x2554), 0xc9);	/* double-line corner is its own glyph */
	KEXPECT(t, memcmp(font8x16[0xc9], font8x16[0xda], FONT_HEIGHT) != 0);
}

static void test_colour(struct ktest *t)
{
	struct screen *s = fresh();

	put(s, "\n\na");
	s->attr = SCREEN_WHITE | SCREEN_BLUE << 4;
	put(s, "b\n");				/* scrolls once */
	KEXPECT_EQ(t, s->cells[0], ' ' | SCREEN_DEFAULT_ATTR << 8);
	KEXPECT_EQ(t, s->cells[(ROWS - 2) * COLS], 'a' | SCREEN_DEFAULT_ATTR << 8);
	KEXPECT_EQ(t, s->cells[(ROWS - 2) * COLS + 1], 'b' | (SCREEN_WHITE | SCREEN_BLUE << 4) << 8);
	/* The line scrolled in is blank in the default colours, not the current ones. */
	KEXPECT_EQ(t, s->cells[(ROWS - 1) * COLS], ' ' | SCREEN_DEFAULT_ATTR << 8);
}

/* ---- framebuffer rendering into memory ---- */

#define FB_W 20			/* two whole cells and 4 spare pixels */
#define FB_H 17
#define FB_PITCH 80		/* longer than FB_W * 3 */
static uint8_t fake_fb[FB_PITCH * FB_H];

static struct fb_info fb_24 = {
	.type = FB_RGB, .pitch = FB_PITCH, .width = FB_W, .height = FB_H, .bpp = 24,
	.red_pos = 16, .red_size = 8, .green_pos = 8, .green_size = 8, .blue_pos = 0, .blue_size = 8,
};

static void test_fb_pixel(struct ktest *t)
{
	struct fb_info rgb565 = { .type = FB_RGB, .bpp = 16, .red_pos = 11, .red_size = 5,
				  .green_pos = 5, .green_size = 6, .blue_pos = 0, .blue_size = 5 };
	struct fb_info bgrx = { .type = FB_RGB, .bpp = 32, .red_pos = 0, .red_size = 8,
				.green_pos = 8, .green_size = 8, .blue_pos = 16, .blue_size = 8 };

	KEXPECT_EQ(t, fbcon_pixel(&fb_24, 0x123456), 0x123456);
	KEXPECT_EQ(t, fbcon_pixel(&bgrx, 0x123456), 0x563412);
	KEXPECT_EQ(t, fbcon_pixel(&rgb565, 0xffffff), 0xffff);
	KEXPECT_EQ(t, fbcon_pixel(&rgb565, 0xff0000), 0xf800);
	KEXPECT_EQ(t, fbcon_pixel(&rgb565, 0x00aa00), (0xaa >> 2) << 5);
}

static struct fbcon fc, before;	/* too big for the stack */

static void test_fb_reject(struct ktest *t)
{
	struct fb_info bad;

	memset(&fc, 0x5a, sizeof(fc));
	before = fc;
	bad = fb_24;
	bad.bpp = 8;
	KEXPECT(t, fbcon_setup(&fc, &bad) != NULL);
	bad = fb_24;
	bad.pitch = FB_W * 3 - 1;
	KEXPECT(t, fbcon_setup(&fc, &bad) != NULL);
	bad = fb_24;
	bad.red_pos = 20;
	KEXPECT(t, fbcon_setup(&fc, &bad) != NULL);
	bad = fb_24;
	bad.addr = 0x100000000ull - FB_PITCH;	/* ends past 4 GiB */
	KEXPECT(t, fbcon_setup(&fc, &bad) != NULL);
	bad = fb_24;
	bad.type = FB_INDEXED;
	KEXPECT(t, fbcon_setup(&fc, &bad) != NULL);
	KEXPECT(t, !memcmp(&fc, &before, sizeof(fc)));
}

/* The cell at (cx, 0) shows glyph g in fg on bg, pixel for pixel. */
static int fb_cell_is(unsigned cx, int g, uint32_t fg, uint32_t bg)
{
	for (int r = 0; r < FONT_HEIGHT; r++)
		for (int i = 0; i < FONT_WIDTH; i++) {
			const uint8_t *p = fake_fb + r * FB_PITCH + (cx * FONT_WIDTH + i) * 3;
			uint32_t px = p[0] | p[1] << 8 | p[2] << 16;

			if (px != ((font8x16[g][r] << i & 0x80) ? fg : bg))
				return 0;
		}
	return 1;
}

static void test_fb_draw(struct ktest *t)
{
	struct fb_info fb = fb_24;
	struct screen s;
	uint16_t cells[2];
	int outside = 0;

	fb.addr = (uintptr_t)fake_fb;
	memset(fake_fb, 0x77, sizeof(fake_fb));
	KEXPECT(t, fbcon_setup(&fc, &fb) == NULL);
	fbcon_clear(&fc, SCREEN_DEFAULT_ATTR);
	screen_init(&s, cells, 2, 1, &fc, fbcon_draw, NULL);
	screen_write(&s, "A", 1);
	s.attr = SCREEN_YELLOW | SCREEN_RED << 4;
	screen_write(&s, "g", 1);
	KEXPECT(t, fb_cell_is(0, 'A', 0xaaaaaa, 0x000000));
	KEXPECT(t, fb_cell_is(1, 'g', 0xffff55, 0xaa0000));
	KEXPECT(t, !fb_cell_is(0, 'B', 0xaaaaaa, 0x000000));
	/* Margins were cleared; bytes past each line's pixels were not touched. */
	for (int y = 0; y < FB_H; y++)
		for (int x = FB_W * 3; x < FB_PITCH; x++)
			outside += fake_fb[y * FB_PITCH + x] != 0x77;
	KEXPECT_EQ(t, outside, 0);
	KEXPECT_EQ(t, fake_fb[16 * FB_PITCH + 3 * (FB_W - 1)], 0);
}

static void test_vga_font(struct ktest *t)
{
	if (!screen_is_vga()) {
		ktest_skip(t, "no VGA text console");
		return;
	}
	KEXPECT_EQ(t, vga_font_mismatches(), 0);
}

static const struct ktest_case screen_cases[] = {
	{ "wrap", test_wrap },
	{ "scroll", test_scroll },
	{ "controls", test_controls },
	{ "utf8", test_utf8 },
	{ "colour", test_colour },
	{ "fb_pixel", test_fb_pixel },
	{ "fb_reject", test_fb_reject },
	{ "fb_draw", test_fb_draw },
	{ "vga_font", test_vga_font },
	{ 0 },
};
static const struct ktest_suite screen_suite = { "screen", screen_cases, NULL };
KTEST_SUITE(screen_suite);
