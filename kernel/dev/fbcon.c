/*
 * Text on a linear RGB framebuffer: 8x16 glyphs from lib/font8x16.c at
 * 15/16, 24 or 32 bits per pixel, in whatever channel layout the boot
 * loader reports, rows pitch bytes apart (pitch may exceed the visible
 * width). Pixels are only written, never read: reading video memory is
 * very slow on real hardware.
 *
 * A glyph row is one byte, so for the colours in use a table holds all 256
 * rows already packed into pixels; drawing a row is then a copy of 8 * 2..4
 * bytes, whatever the pixel format.
 */
#include "kernel/bootinfo.h"
#include "kernel/dev/screen.h"
#include "lib/font.h"

/* The VGA text-mode palette, so both consoles show the same colours. */
static const uint32_t vga_rgb[16] = {
	0x000000, 0x0000aa, 0x00aa00, 0x00aaaa, 0xaa0000, 0xaa00aa, 0xaa5500, 0xaaaaaa,
	0x555555, 0x5555ff, 0x55ff55, 0x55ffff, 0xff5555, 0xff55ff, 0xffff55, 0xffffff,
};

/* An 8-bit channel value scaled to size bits at bit pos. */
static uint32_t channel(uint32_t v8, unsigned pos, unsigned size)
{
	uint32_t v = size >= 8 ? v8 << (size - 8) : v8 >> (8 - size);

	return size ? v << pos : 0;
}

uint32_t fbcon_pixel(const struct fb_info *fb, uint32_t rgb)
{
	return channel(rgb >> 16 & 0xff, fb->red_pos, fb->red_size) |
	       channel(rgb >> 8 & 0xff, fb->green_pos, fb->green_size) |
	       channel(rgb & 0xff, fb->blue_pos, fb->blue_size);
}

static int channel_fits(unsigned pos, unsigned size, unsigned bpp)
{
	return size <= 16 && pos + size <= bpp;
}

const char *fbcon_setup(struct fbcon *fc, const struct fb_info *fb)
{
	uint32_t bytes_pp = (fb->bpp + 7) / 8;

	if (fb->type != FB_RGB)
		return "not an RGB framebuffer";
	if (fb->bpp != 15 && fb->bpp != 16 && fb->bpp != 24 && fb->bpp != 32)
		return "unsupported bits per pixel";
	if (!channel_fits(fb->red_pos, fb->red_size, fb->bpp) ||
	    !channel_fits(fb->green_pos, fb->green_size, fb->bpp) ||
	    !channel_fits(fb->blue_pos, fb->blue_size, fb->bpp))
		return "colour channels outside the pixel";
	if (fb->width < FONT_WIDTH || fb->height < FONT_HEIGHT)
		return "smaller than one character";
	if (fb->pitch < fb->width * bytes_pp)
		return "pitch shorter than a line";
	/* Identity-mapped below 4 GiB only (and i386 cannot address more). */
	if (fb->addr + (uint64_t)fb->pitch * fb->height > 0x100000000ull ||
	    (uintptr_t)fb->addr != fb->addr)
		return "above 4 GiB";

	fc->base = (uint8_t *)(uintptr_t)fb->addr;
	fc->pitch = fb->pitch;
	fc->bytes_pp = bytes_pp;
	fc->width = fb->width;
	fc->height = fb->height;
	for (int i = 0; i < 16; i++)
		fc->colors[i] = fbcon_pixel(fb, vga_rgb[i]);
	fc->row_attr = -1;
	return NULL;
}

/* n pixels of one colour from p on. */
static void fill(struct fbcon *fc, uint8_t *p, uint32_t n, uint32_t px)
{
	switch (fc->bytes_pp) {
	case 4:
		for (uint32_t i = 0; i < n; i++)
			((uint32_t *)p)[i] = px;
		break;
	case 3:
		for (uint32_t i = 0; i < n; i++, p += 3) {
			p[0] = px;
			p[1] = px >> 8;
			p[2] = px >> 16;
		}
		break;
	case 2:
		for (uint32_t i = 0; i < n; i++)
			((uint16_t *)p)[i] = px;
		break;
	}
}

/* The whole framebuffer, margins included, in attr's background. */
void fbcon_clear(struct fbcon *fc, uint8_t attr)
{
	for (uint32_t y = 0; y < fc->height; y++)
		fill(fc, fc->base + y * fc->pitch, fc->width, fc->colors[attr >> 4]);
}

void fbcon_fill(struct fbcon *fc, uint32_t x, uint32_t y, uint32_t w, uint32_t h, enum screen_color color)
{
	if (x >= fc->width || y >= fc->height)
		return;
	if (w > fc->width - x)
		w = fc->width - x;
	if (h > fc->height - y)
		h = fc->height - y;
	for (uint32_t r = y; r < y + h; r++)
		fill(fc, fc->base + r * fc->pitch + x * fc->bytes_pp, w, fc->colors[color & 15]);
}

/* Pack each possible glyph row in attr's colours. */
static void fill_rows(struct fbcon *fc, uint8_t attr)
{
	uint32_t fg = fc->colors[attr & 15], bg = fc->colors[attr >> 4];

	for (unsigned bits = 0; bits < 256; bits++) {
		uint8_t *p = (uint8_t *)fc->row_pixels[bits];

		for (int i = 0; i < FONT_WIDTH; i++, p += fc->bytes_pp) {
			uint32_t px = (bits << i & 0x80) ? fg : bg;

			for (uint32_t b = 0; b < fc->bytes_pp; b++)
				p[b] = px >> 8 * b;
		}
	}
	fc->row_attr = attr;
}

void fbcon_draw(void *dev, unsigned x, unsigned y, uint16_t cell)
{
	struct fbcon *fc = dev;
	const uint8_t *glyph = font8x16[cell & 0xff];
	uint8_t *row = fc->base + y * FONT_HEIGHT * fc->pitch + x * FONT_WIDTH * fc->bytes_pp;
	unsigned words = 2 * fc->bytes_pp;	/* 8 pixels in 32-bit words */

	if (fc->row_attr != cell >> 8)
		fill_rows(fc, cell >> 8);
	for (int r = 0; r < FONT_HEIGHT; r++, row += fc->pitch) {
		const uint32_t *src = fc->row_pixels[glyph[r]];
		uint32_t *dst = (uint32_t *)row;

		for (unsigned i = 0; i < words; i++)
			dst[i] = src[i];
	}
}
