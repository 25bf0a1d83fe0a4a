/* Screen consoles: VGA text for now; the framebuffer console comes next. */
#include <stdint.h>
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/console.h"

static volatile uint16_t *vga;
static unsigned vga_cols, vga_rows, vga_x, vga_y;

static void vga_scroll(void)
{
	for (unsigned i = 0; i < (vga_rows - 1) * vga_cols; i++)
		vga[i] = vga[i + vga_cols];
	for (unsigned i = 0; i < vga_cols; i++)
		vga[(vga_rows - 1) * vga_cols + i] = 0x0700 | ' ';
	vga_y--;
}

static void vga_write(struct console *con, const char *s, size_t n)
{
	(void)con;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			vga_x = 0;
			vga_y++;
		} else {
			vga[vga_y * vga_cols + vga_x] = 0x0700 | (uint8_t)s[i];
			if (++vga_x == vga_cols) {
				vga_x = 0;
				vga_y++;
			}
		}
		if (vga_y == vga_rows)
			vga_scroll();
	}
}

static struct console vga_console = { .name = "vga", .kind = CON_SCREEN, .write = vga_write };

void screen_console_init(const struct fb_info *fb)
{
	if (fb->type == FB_EGA_TEXT || fb->type == FB_NONE) {
		vga = (volatile uint16_t *)(uintptr_t)(fb->type == FB_EGA_TEXT ? fb->addr : 0xb8000);
		vga_cols = fb->type == FB_EGA_TEXT ? fb->width : 80;
		vga_rows = fb->type == FB_EGA_TEXT ? fb->height : 25;
		for (unsigned i = 0; i < vga_cols * vga_rows; i++)
			vga[i] = 0x0700 | ' ';
		console_register(&vga_console);
	}
}
