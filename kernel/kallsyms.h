/*
 * The kernel's own symbol table (code symbols, sorted by address), linked in
 * by the two-pass build (tools/gen-kallsyms.sh).
 */
#ifndef KERNEL_KALLSYMS_H
#define KERNEL_KALLSYMS_H
#include <stddef.h>

/*
 * The symbol whose [addr, addr + size) holds addr, or NULL. offset and size
 * (either may be NULL) receive addr's offset into it and its size.
 */
const char *sym_lookup(unsigned long addr, unsigned long *offset, unsigned long *size);
/* Address of the first symbol called name (local names can repeat), or 0. */
unsigned long sym_addr(const char *name);
/* "name+0x12/0x40", or "0x..." outside every symbol; returns the length. */
int sym_format(char *buf, size_t n, unsigned long addr);
/* fn for every symbol in address order until it returns nonzero (returned). */
int sym_for_each(int (*fn)(const char *name, unsigned long addr, unsigned long size, void *ctx),
		 void *ctx);
/* Number of symbols in the table. */
unsigned long sym_count(void);

#endif
