/* Symbol lookups over the table tools/gen-kallsyms.sh generates. */
#include <stdint.h>
#include "kernel/kallsyms.h"
#include "kernel/compiler.h"
#include "lib/format.h"
#include "lib/string.h"

/* Addresses are the low 32 bits: the kernel is linked below 4 GiB. */
extern const uint32_t kallsyms_count;
extern const uint32_t kallsyms_addrs[], kallsyms_sizes[], kallsyms_name_offs[];
extern const char kallsyms_names[];

/* How far back from the last symbol at or below addr to look for one containing it. */
#define LOOKBACK 8

unsigned long sym_count(void)
{
	return kallsyms_count;
}

__noprobe const char *sym_lookup(unsigned long addr, unsigned long *offset, unsigned long *size)
{
	long lo = 0, hi = (long)kallsyms_count - 1, last = -1;

	/* last symbol starting at or below addr */
	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (kallsyms_addrs[mid] <= addr) {
			last = mid;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	/* Zero-size or nested symbols can sit in front of the one containing addr. */
	for (long i = last; i >= 0 && i > last - LOOKBACK; i--) {
		unsigned long a = kallsyms_addrs[i], s = kallsyms_sizes[i];

		if (addr - a < s) {
			if (offset)
				*offset = addr - a;
			if (size)
				*size = s;
			return kallsyms_names + kallsyms_name_offs[i];
		}
	}
	return NULL;
}

unsigned long sym_addr(const char *name)
{
	for (uint32_t i = 0; i < kallsyms_count; i++)
		if (!strcmp(kallsyms_names + kallsyms_name_offs[i], name))
			return kallsyms_addrs[i];
	return 0;
}

int __noprobe sym_format(char *buf, size_t n, unsigned long addr)
{
	unsigned long off, size;
	const char *name = sym_lookup(addr, &off, &size);

	if (!name)
		return snprintf(buf, n, "0x%lx", addr);
	return snprintf(buf, n, "%s+0x%lx/0x%lx", name, off, size);
}

int sym_for_each(int (*fn)(const char *name, unsigned long addr, unsigned long size, void *ctx),
		 void *ctx)
{
	for (uint32_t i = 0; i < kallsyms_count; i++) {
		int r = fn(kallsyms_names + kallsyms_name_offs[i], kallsyms_addrs[i], kallsyms_sizes[i], ctx);

		if (r)
			return r;
	}
	return 0;
}
