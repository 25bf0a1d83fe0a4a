/*
 * libFuzzer target: probe-event definitions (kernel/trace/probe_events.c),
 * the text a person types at the console or puts in probe= options. The
 * input is lines of commands (definitions and -:NAME removals). Every event
 * that registers is then hit once with registers pointing into a fake stack
 * made of the input (its :string and deref arguments read it), listed, and
 * removed; the back-ends (kshim.c) must end with nothing registered.
 *
 * The file is included, not copied: the harness resets its event table.
 */
#include <stdlib.h>

#include "kernel/trace/probe_events.c"
#include "tests/fuzz/kshim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t stack[2 * PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

static void hit_all(const uint8_t *data, size_t size)
{
	struct pt_regs regs;
	char line[PE_LINE_MAX];

	for (size_t i = 0; i < sizeof(stack); i++)
		stack[i] = size ? data[i % size] : 0;
	memset(&regs, 0, sizeof(regs));
	regs.sp = (unsigned long)stack + PAGE_SIZE;	/* the second page is unmapped */
	regs.di = (unsigned long)stack + 64;
	regs.si = 7;
	regs.ax = (unsigned long)stack + 8;
	regs.bp = (unsigned long)stack + sizeof(stack) - 8;
	kshim_pages_reset();
	kshim_pages_add((uintptr_t)stack, PAGE_SIZE);
	for (int i = 0; i < PE_MAX_EVENTS; i++) {
		if (!events[i].name[0])
			continue;
		regs.ip = events[i].addr;
		if (probe_event_format(&events[i], &regs, regs.ip, events[i].addr, line, sizeof(line)) >=
		    sizeof(line))
			__builtin_trap();
		event_hit(&events[i], &regs, regs.ip, 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *next;

	memcpy(text, data, size);
	text[size] = 0;
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		probe_event_command(line);
	}
	hit_all(data, size);
	probe_events_list();
	for (int i = 0; i < PE_MAX_EVENTS; i++) {
		char name[PE_NAME_MAX];

		if (!events[i].name[0])
			continue;
		strlcpy(name, events[i].name, sizeof(name));
		if (probe_event_remove(name))
			__builtin_trap();
	}
	if (kshim_registered)
		__builtin_trap();	/* a registration without its unregistration */
	free(text);
	return 0;
}
