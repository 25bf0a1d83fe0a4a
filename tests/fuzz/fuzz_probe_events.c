/*
 * libFuzzer target: probe-event definitions (kernel/trace/probe_events.c),
 * the text a person types at the console or puts in probe= options. The
 * input is lines of commands (definitions and -:NAME removals). Every event
 * that registers is then hit once with registers pointing into a fake stack
 * made of the input (its :string and deref arguments read it), its record
 * (when its filter lets it through) formatted as a reader would, listed, and
 * removed; the back-ends (kshim.c) must end with nothing registered.
 *
 * The file is included, not copied: the harness resets its event table.
 */
#include <stdlib.h>

#include "kernel/trace/probe_events.c"
#include "tests/fuzz/kshim.h"
#include "kernel/btf.h"

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
	for (uint32_t i = 0; i < nr_slots; i++) {
		struct probe_event *ev = slots[i].ev;
		char text[PE_LINE_MAX];
		struct strbuf l = { text, sizeof(text), 0 };

		if (!ev)
			continue;
		regs.ip = ev->addr;
		if (probe_event_format(ev, &regs, regs.ip, ev->addr, line, sizeof(line)) >= sizeof(line))
			__builtin_trap();
		kshim_last_len = 0;
		kshim_last_event.type = 0;
		event_hit(ev, &regs, regs.ip, 0);
		/* what a reader prints from the record, if the filter let it through */
		if (kshim_last_event.type == TRACE_EVENT)
			probe_event_record_text(&l, &kshim_last_event, kshim_last_data, kshim_last_len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int btf_ready;
	char *text = malloc(size + 1), *line, *next;

	if (!btf_ready++)
		kernel_btf_init();	/* names resolve through the kernel's BTF */
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
	for (uint32_t i = 0; i < nr_slots; i++) {
		char name[PE_NAME_MAX];

		if (!slots[i].ev)
			continue;
		strlcpy(name, slots[i].ev->name, sizeof(name));
		if (probe_event_remove(name))
			__builtin_trap();
	}
	if (kshim_registered)
		__builtin_trap();	/* a registration without its unregistration */
	free(text);
	return 0;
}
