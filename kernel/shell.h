/* The interactive console (kernel/shell.c): PS/2 keyboard and COM1 in, every console out. */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H
#include "kernel/compiler.h"

/* Read and run commands forever (mode=idle, and when a mode is done). */
void shell_run(void) __noreturn;
/* Wait for a key on the PS/2 keyboard or COM1 (polled); returns it. */
int shell_read_key(void);
/* Run one command line, as if typed. */
void shell_execute(char *line);

#endif
