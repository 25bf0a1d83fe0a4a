/*
 * Screen consoles. screen.c keeps the text as a grid of cells and turns the
 * byte stream (UTF-8, '\n' '\r' '\t' '\b') into cell changes; a backend only
 * draws one cell: vga.c into VGA text memory, fbcon.c into a linear
 * framebuffer with the same font (lib/font.h), so both look the same.
 */
#ifndef KERNEL_SCREEN_H
#define KERNEL_SCREEN_H
#include <stddef.h>
#include <stdint.h>

struct fb_info;

/* The 16 VGA colours; a cell's attribute is fg | bg << 4. */
enum screen_color {
	SCREEN_BLACK, SCREEN_BLUE, SCREEN_GREEN, SCREEN_CYAN,
	SCREEN_RED, SCREEN_MAGENTA, SCREEN_BROWN, SCREEN_LIGHT_GREY,
	SCREEN_DARK_GREY, SCREEN_LIGHT_BLUE, SCREEN_LIGHT_GREEN, SCREEN_LIGHT_CYAN,
	SCREEN_LIGHT_RED, SCREEN_LIGHT_MAGENTA, SCREEN_YELLOW, SCREEN_WHITE,
};
#define SCREEN_DEFAULT_ATTR	(SCREEN_LIGHT_GREY | SCREEN_BLACK << 4)

/* Colour of the text written from now on (on the screen console only). */
void screen_set_color(enum screen_color fg, enum screen_color bg);
/* Nonzero when the screen console is VGA text mode (VGA registers exist). */
int screen_is_vga(void);

/*
 * A picture of square modules over the whole screen (the benchmark's QR
 * codes), drawn around the text, not into it: screen_redraw() puts the text
 * back. VGA text draws two modules per cell with the half-block glyphs
 * (0xdf upper, 0xdc lower, 0xdb both), a framebuffer draws pixel squares.
 * Dark modules are black on white.
 */
/* Modules per side that fit with `text_cols` columns of text beside them; 0: no screen. */
unsigned screen_module_room(unsigned text_cols);
/* n x n modules (dark(arg, x, y)) from the top left, the lines of text to their right. */
void screen_show_modules(unsigned n, int (*dark)(void *arg, int x, int y), void *arg,
			 const char *const *text, unsigned lines);
void screen_redraw(void);

/* The largest grid: 3840x2160 in 8x16 cells. */
#define SCREEN_MAX_COLS	480
#define SCREEN_MAX_ROWS	135

struct screen {
	uint16_t *cells;	/* rows * cols, glyph | attr << 8 (the VGA layout) */
	unsigned cols, rows;
	unsigned x, y;		/* x == cols: wrap before the next character */
	uint8_t attr;
	uint8_t utf8_left;	/* continuation bytes still expected */
	uint32_t utf8_cp;
	void *dev;
	void (*draw)(void *dev, unsigned x, unsigned y, uint16_t cell);
	void (*cursor)(void *dev, unsigned x, unsigned y);	/* may be NULL */
};

/* Blank the grid (and the display) and home the cursor. */
void screen_init(struct screen *s, uint16_t *cells, unsigned cols, unsigned rows, void *dev,
		 void (*draw)(void *, unsigned, unsigned, uint16_t),
		 void (*cursor)(void *, unsigned, unsigned));
void screen_write(struct screen *s, const char *buf, size_t n);

/* vga.c: EGA/VGA text mode memory, the CRTC cursor, our font in plane 2. */
struct vga {
	volatile uint16_t *text;
	unsigned stride;	/* cells per line in memory */
	uint16_t crtc;		/* CRTC index port: 0x3d4 colour, 0x3b4 mono */
};
void vga_setup(struct vga *v, uintptr_t addr, unsigned stride);
void vga_draw(void *v, unsigned x, unsigned y, uint16_t cell);
void vga_cursor(void *v, unsigned x, unsigned y);
/* Glyphs in the character generator that differ from lib/font8x16.c. */
int vga_font_mismatches(void);

/* fbcon.c: text drawn into a linear RGB framebuffer. */
struct fbcon {
	uint8_t *base;
	uint32_t pitch, bytes_pp;
	uint32_t width, height;		/* pixels */
	uint32_t colors[16];		/* the VGA colours as pixel values */
	int row_attr;			/* attribute row_pixels is for, -1: none */
	uint32_t row_pixels[256][8];	/* each glyph row byte as 8 packed pixels */
};
/* NULL on success, else why this framebuffer cannot be used (fc untouched). */
const char *fbcon_setup(struct fbcon *fc, const struct fb_info *fb);
/* The pixel value of a 0xRRGGBB colour in fb's layout. */
uint32_t fbcon_pixel(const struct fb_info *fb, uint32_t rgb);
void fbcon_clear(struct fbcon *fc, uint8_t attr);
/* A w x h pixel rectangle at (x, y) in one of the 16 colours; clipped to the screen. */
void fbcon_fill(struct fbcon *fc, uint32_t x, uint32_t y, uint32_t w, uint32_t h, enum screen_color color);
void fbcon_draw(void *fc, unsigned x, unsigned y, uint16_t cell);

#endif
