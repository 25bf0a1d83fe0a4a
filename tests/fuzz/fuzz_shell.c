/*
 * libFuzzer target: the console's line editor and command splitter
 * (kernel/shell.c). The input is what arrives on COM1: keys, escape
 * sequences (arrows walk the history), DEL, Ctrl-U, Ctrl-C, CR/CRLF. Each
 * line is edited by read_line() and run by shell_execute() as shell_run()
 * does (the commands' back-ends are tests/fuzz/shell_stubs.c). Every line must stay
 * terminated inside its buffer. The file is included, not copied: the
 * harness reaches read_line() and resets the history.
 */
#include "kernel/shell.c"
#include "tests/fuzz/shell_stubs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char line[LINE_MAX];
	static char *volatile guard;

	memset(history, 0, sizeof(history));
	history_len = 0;
	shell_in = data;
	shell_in_left = size;
	guard = line;
	if (!setjmp(shell_in_end)) {
		for (;;) {
			read_line(guard, LINE_MAX);
			if (strnlen(guard, LINE_MAX) == LINE_MAX)
				__builtin_trap();
			history_add(guard);
			shell_execute(guard);
		}
	}
	return 0;
}
