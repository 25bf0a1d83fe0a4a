/*
 * VGA text mode: cells are glyph | attr << 8 words in text memory, the
 * cursor is a CRTC register pair, and the glyphs come from plane 2 of video
 * memory (the character generator), where we load lib/font8x16.c so text
 * mode shows the same font as the framebuffer console.
 *
 * Plane 2 holds 256 glyphs of 32 bytes each; a 16-line font uses the first
 * 16. It is reachable only with the sequencer and graphics controller set
 * up for planar access at 0xa0000, so font I/O saves those registers,
 * switches, and restores them (text mode again).
 */
#include "kernel/cpu.h"
#include "kernel/dev/screen.h"
#include "lib/font.h"

#define SEQ		0x3c4	/* sequencer: index, data at +1 */
#define GC		0x3ce	/* graphics controller */
#define AC		0x3c0	/* attribute controller: index/data flip-flop */
#define AC_READ		0x3c1
#define MISC_READ	0x3cc

#define SEQ_RESET	0
#define SEQ_MAP_MASK	2	/* planes that CPU writes reach */
#define SEQ_CHARMAP	3	/* which plane-2 font slots are in use */
#define SEQ_MEM_MODE	4
#define GC_READ_MAP	4
#define GC_MODE		5
#define GC_MISC		6
#define AC_MODE		0x10
#define AC_PAS		0x20	/* keep the palette (the display) enabled */
#define CRTC_CUR_START	0x0a
#define CRTC_CUR_END	0x0b
#define CRTC_START_HI	0x0c
#define CRTC_START_LO	0x0d
#define CRTC_CUR_HI	0x0e
#define CRTC_CUR_LO	0x0f
#define CRTC_STATUS	6	/* input status 1: crtc + 6, resets the AC flip-flop */

#define PLANE2		((volatile uint8_t *)0xa0000)
#define GLYPH_STRIDE	32

static uint8_t reg_read(uint16_t port, uint8_t index)
{
	outb(port, index);
	return inb(port + 1);
}

static void reg_write(uint16_t port, uint8_t index, uint8_t v)
{
	outb(port, index);
	outb(port + 1, v);
}

struct plane2_saved {
	uint8_t map_mask, mem_mode, read_map, mode, misc;
};

/* Map plane 2 alone, linearly, at 0xa0000. */
static void plane2_open(struct plane2_saved *s)
{
	s->map_mask = reg_read(SEQ, SEQ_MAP_MASK);
	s->mem_mode = reg_read(SEQ, SEQ_MEM_MODE);
	s->read_map = reg_read(GC, GC_READ_MAP);
	s->mode = reg_read(GC, GC_MODE);
	s->misc = reg_read(GC, GC_MISC);

	reg_write(SEQ, SEQ_RESET, 0x01);	/* synchronous reset while we switch */
	reg_write(SEQ, SEQ_MAP_MASK, 0x04);	/* writes go to plane 2 */
	reg_write(SEQ, SEQ_MEM_MODE, 0x07);	/* sequential, not odd/even */
	reg_write(SEQ, SEQ_RESET, 0x03);
	reg_write(GC, GC_READ_MAP, 0x02);	/* reads come from plane 2 */
	reg_write(GC, GC_MODE, 0x00);		/* write mode 0, no odd/even */
	reg_write(GC, GC_MISC, 0x04);		/* text; 64 KiB window at 0xa0000 */
}

static void plane2_close(const struct plane2_saved *s)
{
	reg_write(SEQ, SEQ_RESET, 0x01);
	reg_write(SEQ, SEQ_MAP_MASK, s->map_mask);
	reg_write(SEQ, SEQ_MEM_MODE, s->mem_mode);
	reg_write(SEQ, SEQ_RESET, 0x03);
	reg_write(GC, GC_READ_MAP, s->read_map);
	reg_write(GC, GC_MODE, s->mode);
	reg_write(GC, GC_MISC, s->misc);
}

static void font_load(void)
{
	struct plane2_saved saved;

	plane2_open(&saved);
	for (int c = 0; c < FONT_GLYPHS; c++)
		for (int r = 0; r < GLYPH_STRIDE; r++)
			PLANE2[c * GLYPH_STRIDE + r] = r < FONT_HEIGHT ? font8x16[c][r] : 0;
	plane2_close(&saved);
	/* Both font slots at offset 0: attribute bit 3 stays a colour bit. */
	reg_write(SEQ, SEQ_RESET, 0x01);
	reg_write(SEQ, SEQ_CHARMAP, 0x00);
	reg_write(SEQ, SEQ_RESET, 0x03);
}

int vga_font_mismatches(void)
{
	struct plane2_saved saved;
	int bad = 0;

	plane2_open(&saved);
	for (int c = 0; c < FONT_GLYPHS; c++)
		for (int r = 0; r < FONT_HEIGHT; r++)
			if (PLANE2[c * GLYPH_STRIDE + r] != font8x16[c][r]) {
				bad++;
				break;
			}
	plane2_close(&saved);
	return bad;
}

/*
 * Attribute mode: bit 3 of the attribute is a bright background rather
 * than blinking (16 background colours, as on the framebuffer), and line
 * graphics on: glyphs 0xc0-0xdf repeat their 8th column in the 9th, so
 * horizontal box-drawing lines join up.
 */
static void attribute_mode(uint16_t crtc)
{
	uint8_t mode;

	inb(crtc + CRTC_STATUS);
	outb(AC, AC_MODE | AC_PAS);
	mode = inb(AC_READ);
	outb(AC, (mode & ~0x08) | 0x04);
}

void vga_setup(struct vga *v, uintptr_t addr, unsigned stride)
{
	v->text = (volatile uint16_t *)addr;
	v->stride = stride;
	v->crtc = (inb(MISC_READ) & 1) ? 0x3d4 : 0x3b4;
	font_load();
	attribute_mode(v->crtc);
	/* Show text memory from its start; an underline cursor on lines 14-15. */
	reg_write(v->crtc, CRTC_START_HI, 0);
	reg_write(v->crtc, CRTC_START_LO, 0);
	reg_write(v->crtc, CRTC_CUR_START, (reg_read(v->crtc, CRTC_CUR_START) & 0xc0) | 14);
	reg_write(v->crtc, CRTC_CUR_END, (reg_read(v->crtc, CRTC_CUR_END) & 0xe0) | 15);
}

void vga_draw(void *dev, unsigned x, unsigned y, uint16_t cell)
{
	struct vga *v = dev;

	v->text[y * v->stride + x] = cell;
}

void vga_cursor(void *dev, unsigned x, unsigned y)
{
	struct vga *v = dev;
	unsigned pos = y * v->stride + x;

	reg_write(v->crtc, CRTC_CUR_HI, pos >> 8);
	reg_write(v->crtc, CRTC_CUR_LO, pos & 0xff);
}
