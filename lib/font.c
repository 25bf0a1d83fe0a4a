/* Code point to glyph lookup for the console font. */
#include "lib/font.h"

int font_glyph(uint32_t codepoint)
{
	if (codepoint >= 0x20 && codepoint < 0x7f)
		return (int)codepoint;
	if (codepoint == 0)
		return -1;
	for (int i = 0; i < FONT_GLYPHS; i++)
		if (font8x16_unicode[i] == codepoint)
			return i;
	return -1;
}
