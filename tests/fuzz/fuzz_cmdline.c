/*
 * libFuzzer target: the kernel command line (kernel/cmdline.c). The input is
 * the command line GRUB would pass. Besides ASan/UBSan: the parser must
 * terminate, count errors, and leave every stored string terminated.
 */
#include <stdint.h>
#include <stdlib.h>

#include "kernel/cmdline.h"
#include "lib/string.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kernel_options defaults;
	static int saved;
	char *line = malloc(size + 1), key[4], value[4];
	const char *p;

	if (!saved) {
		defaults = kopt;
		saved = 1;
	}
	kopt = defaults;
	memcpy(line, data, size);
	line[size] = 0;
	cmdline_parse(line);
	if (kopt.probe_count > CMDLINE_MAX_PROBES || kopt.mode > MODE_IDLE)
		__builtin_trap();
	for (int i = 0; i < kopt.probe_count; i++)
		if (strnlen(kopt.probes[i], CMDLINE_PROBE_MAX) == CMDLINE_PROBE_MAX)
			__builtin_trap();
	if (strnlen(kopt.test_filter, sizeof(kopt.test_filter)) == sizeof(kopt.test_filter) ||
	    strnlen(kopt.bench_filter, sizeof(kopt.bench_filter)) == sizeof(kopt.bench_filter))
		__builtin_trap();
	/* Tiny buffers: every option is too long, each must still be consumed. */
	p = line;
	for (size_t n = 0; cmdline_next(&p, key, sizeof(key), value, sizeof(value)); n++)
		if (n > size)
			__builtin_trap();	/* no progress */
	free(line);
	return 0;
}
