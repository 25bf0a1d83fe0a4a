/*
 * The screen console: a grid of cells that the byte stream edits, drawn by
 * a backend (VGA text or framebuffer) one changed cell at a time. Scrolling
 * redraws only the cells whose content changes, which on a framebuffer is
 * far less than moving every pixel row (and never reads video memory).
 */
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/dev/console.h"
#include "kernel/dev/screen.h"
#include "lib/font.h"
#include "lib/string.h"

#define TAB_WIDTH 8

static uint16_t blank_cell(void)
{
	return ' ' | SCREEN_DEFAULT_ATTR << 8;
}

static void put_cell(struct screen *s, unsigned x, unsigned y, uint16_t cell)
{
	uint16_t *c = &s->cells[y * s->cols + x];

	if (*c != cell) {
		*c = cell;
		s->draw(s->dev, x, y, cell);
	}
}

void screen_init(struct screen *s, uint16_t *cells, unsigned cols, unsigned rows, void *dev,
		 void (*draw)(void *, unsigned, unsigned, uint16_t),
		 void (*cursor)(void *, unsigned, unsigned))
{
	s->cells = cells;
	s->cols = cols;
	s->rows = rows;
	s->x = s->y = 0;
	s->attr = SCREEN_DEFAULT_ATTR;
	s->utf8_left = 0;
	s->dev = dev;
	s->draw = draw;
	s->cursor = cursor;
	for (unsigned y = 0; y < rows; y++)
		for (unsigned x = 0; x < cols; x++) {
			cells[y * cols + x] = blank_cell();
			draw(dev, x, y, blank_cell());
		}
	if (cursor)
		cursor(dev, 0, 0);
}

static void scroll_up(struct screen *s)
{
	for (unsigned y = 0; y + 1 < s->rows; y++)
		for (unsigned x = 0; x < s->cols; x++)
			put_cell(s, x, y, s->cells[(y + 1) * s->cols + x]);
	for (unsigned x = 0; x < s->cols; x++)
		put_cell(s, x, s->rows - 1, blank_cell());
}

static void line_feed(struct screen *s)
{
	s->x = 0;
	if (s->y + 1 < s->rows)
		s->y++;
	else
		scroll_up(s);
}

static void put_glyph(struct screen *s, uint8_t glyph)
{
	if (s->x == s->cols)
		line_feed(s);
	put_cell(s, s->x, s->y, glyph | s->attr << 8);
	s->x++;
}

static void control(struct screen *s, char c)
{
	switch (c) {
	case '\n':
		line_feed(s);
		break;
	case '\r':
		s->x = 0;
		break;
	case '\t':
		s->x = (s->x / TAB_WIDTH + 1) * TAB_WIDTH;
		if (s->x > s->cols)
			s->x = s->cols;
		break;
	case '\b':
		if (s->x > 0)
			s->x--;
		break;
	}
}

/* UTF-8 in, one glyph out per code point; what the font lacks shows as '?'. */
static void put_byte(struct screen *s, uint8_t b)
{
	int glyph;

	if (s->utf8_left) {
		if ((b & 0xc0) == 0x80) {
			s->utf8_cp = s->utf8_cp << 6 | (b & 0x3f);
			if (--s->utf8_left == 0) {
				glyph = font_glyph(s->utf8_cp);
				put_glyph(s, glyph < 0 ? '?' : glyph);
			}
			return;
		}
		s->utf8_left = 0;
		put_glyph(s, '?');	/* truncated sequence; b starts afresh */
	}
	if (b < 0x20 || b == 0x7f)
		control(s, b);
	else if (b < 0x80)
		put_glyph(s, b);
	else if (b >= 0xc2 && b <= 0xf4) {
		/* lead byte: 110xxxxx, 1110xxxx or 11110xxx */
		s->utf8_left = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : 1;
		s->utf8_cp = b & (0x3f >> s->utf8_left);
	} else {
		put_glyph(s, '?');
	}
}

void screen_write(struct screen *s, const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put_byte(s, (uint8_t)buf[i]);
	if (s->cursor)
		s->cursor(s->dev, s->x < s->cols ? s->x : s->cols - 1, s->y);
}

/* ---- the one screen console ---- */

static uint16_t cells[SCREEN_MAX_COLS * SCREEN_MAX_ROWS];
static struct screen screen;
static struct vga vga;
static struct fbcon fbcon;

static void screen_console_write(struct console *con, const char *s, size_t n)
{
	(void)con;
	screen_write(&screen, s, n);
}

static struct console screen_console = { .kind = CON_SCREEN, .write = screen_console_write };

void screen_set_color(enum screen_color fg, enum screen_color bg)
{
	screen.attr = (fg & 15) | (bg & 15) << 4;
}

int screen_is_vga(void)
{
	return screen.dev == &vga;
}

/* ---- pictures over the text ---- */

#define MODULE_MIN_PX	4	/* smallest framebuffer module a phone camera still resolves */
#define INK		(SCREEN_BLACK | SCREEN_WHITE << 4)

unsigned screen_module_room(unsigned text_cols)
{
	unsigned w, h;

	if (!screen.dev || screen.cols <= text_cols + 1)
		return 0;
	if (screen_is_vga()) {
		w = screen.cols - text_cols - 1;	/* a module per column, */
		h = 2 * screen.rows;			/* two per row */
	} else {
		w = (fbcon.width - (text_cols + 1) * FONT_WIDTH) / MODULE_MIN_PX;
		h = fbcon.height / MODULE_MIN_PX;
	}
	return w < h ? w : h;
}

/* One line of text at cell (x, y) in the default colours, drawn around the grid. */
static void draw_text(unsigned x, unsigned y, const char *t)
{
	for (; *t && x < screen.cols && y < screen.rows; t++, x++)
		screen.draw(screen.dev, x, y, (uint8_t)*t | SCREEN_DEFAULT_ATTR << 8);
}

void screen_show_modules(unsigned n, int (*dark)(void *arg, int x, int y), void *arg,
			 const char *const *text, unsigned lines)
{
	unsigned text_x, text_w = 0;

	if (!screen.dev)
		return;
	for (unsigned i = 0; i < lines; i++)
		text_w = strlen(text[i]) > text_w ? strlen(text[i]) : text_w;
	if (screen_is_vga()) {
		for (unsigned y = 0; y < screen.rows; y++)
			for (unsigned x = 0; x < screen.cols; x++) {
				int top = x < n && 2 * y < n && dark(arg, x, 2 * y);
				int bottom = x < n && 2 * y + 1 < n && dark(arg, x, 2 * y + 1);
				uint8_t glyph = top ? (bottom ? 0xdb : 0xdf) : bottom ? 0xdc : ' ';

				screen.draw(screen.dev, x, y, glyph | (x < n && 2 * y < n ? INK : SCREEN_DEFAULT_ATTR) << 8);
			}
		text_x = n + 1;
		/* The cursor off the picture: on the last cell, under no text. */
		screen.cursor(screen.dev, screen.cols - 1, screen.rows - 1);
	} else {
		unsigned room = fbcon.width - (text_w + 1) * FONT_WIDTH;
		unsigned px = (fbcon.height < room ? fbcon.height : room) / n;	/* the largest squares */

		fbcon_clear(&fbcon, SCREEN_DEFAULT_ATTR);
		fbcon_fill(&fbcon, 0, 0, n * px, n * px, SCREEN_WHITE);
		for (unsigned y = 0; y < n; y++)
			for (unsigned x = 0; x < n; x++)
				if (dark(arg, x, y))
					fbcon_fill(&fbcon, x * px, y * px, px, px, SCREEN_BLACK);
		text_x = (n * px + FONT_WIDTH - 1) / FONT_WIDTH + 1;
	}
	for (unsigned i = 0; i < lines; i++)
		draw_text(text_x, 1 + i, text[i]);
}

void screen_redraw(void)
{
	if (!screen.dev)
		return;
	if (!screen_is_vga())
		fbcon_clear(&fbcon, SCREEN_DEFAULT_ATTR);
	for (unsigned y = 0; y < screen.rows; y++)
		for (unsigned x = 0; x < screen.cols; x++)
			screen.draw(screen.dev, x, y, screen.cells[y * screen.cols + x]);
	if (screen.cursor)
		screen.cursor(screen.dev, screen.x < screen.cols ? screen.x : screen.cols - 1, screen.y);
}

static void start_vga(uintptr_t addr, unsigned cols, unsigned rows, unsigned stride)
{
	if (cols > SCREEN_MAX_COLS)
		cols = SCREEN_MAX_COLS;
	if (rows > SCREEN_MAX_ROWS)
		rows = SCREEN_MAX_ROWS;
	vga_setup(&vga, addr, stride);
	screen_init(&screen, cells, cols, rows, &vga, vga_draw, vga_cursor);
	screen_console.name = "vga";
	console_register(&screen_console);
	printk_on(CON_SERIAL, "screen: VGA text %ux%u at %#lx\n", cols, rows, (unsigned long)addr);
}

static void start_fbcon(const struct fb_info *fb)
{
	const char *why = fbcon_setup(&fbcon, fb);
	unsigned cols, rows;

	if (why) {
		printk_on(CON_SERIAL, "screen: framebuffer %ux%u %u bpp unusable: %s; no screen console\n",
			  fb->width, fb->height, fb->bpp, why);
		return;
	}
	cols = fb->width / FONT_WIDTH;
	rows = fb->height / FONT_HEIGHT;
	if (cols > SCREEN_MAX_COLS)
		cols = SCREEN_MAX_COLS;
	if (rows > SCREEN_MAX_ROWS)
		rows = SCREEN_MAX_ROWS;
	fbcon_clear(&fbcon, SCREEN_DEFAULT_ATTR);
	screen_init(&screen, cells, cols, rows, &fbcon, fbcon_draw, NULL);
	screen_console.name = "fb";
	console_register(&screen_console);
	printk_on(CON_SERIAL, "screen: framebuffer console %ux%u cells\n", cols, rows);
}

void screen_console_init(const struct fb_info *fb)
{
	switch (fb->type) {
	case FB_RGB:
		start_fbcon(fb);
		break;
	case FB_EGA_TEXT:
		start_vga((uintptr_t)fb->addr, fb->width, fb->height,
			  fb->pitch >= 2 * fb->width ? fb->pitch / 2 : fb->width);
		break;
	case FB_NONE:
		/* No tag: a BIOS machine is still in VGA text mode; UEFI has none. */
		if (!boot_info.efi)
			start_vga(0xb8000, 80, 25, 80);
		else
			printk_on(CON_SERIAL, "screen: UEFI boot without a framebuffer; no screen console\n");
		break;
	case FB_INDEXED:
		printk_on(CON_SERIAL, "screen: indexed-colour framebuffer (%u bpp) not supported; "
			  "no screen console\n", fb->bpp);
		break;
	default:
		printk_on(CON_SERIAL, "screen: unknown framebuffer type %d; no screen console\n",
			  fb->type);
		break;
	}
}
