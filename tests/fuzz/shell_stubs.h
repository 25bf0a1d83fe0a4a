/* tests/fuzz/shell_stubs.c: the input the fuzzed shell reads, and where it ends. */
#ifndef FUZZ_SHELL_STUBS_H
#define FUZZ_SHELL_STUBS_H
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

extern const uint8_t *shell_in;
extern size_t shell_in_left;
extern jmp_buf shell_in_end;
#endif
