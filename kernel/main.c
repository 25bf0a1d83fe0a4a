/* kmain: from the boot entry to the mode the command line asks for. */
#include <stdint.h>
#include "kernel/arch.h"
#include "kernel/bootinfo.h"
#include "kernel/cmdline.h"
#include "kernel/console.h"
#include "kernel/cpu.h"
#include "kernel/ktest.h"
#include "kernel/power.h"
#include "kernel/tsc.h"
#include "lib/string.h"

#define UNIPROBE_VERSION "0.1"

static void cpu_print(void)
{
	uint32_t r[4];
	char vendor[13], brand[49];

	cpuid(0, r);
	memcpy(vendor, &r[1], 4);
	memcpy(vendor + 4, &r[3], 4);
	memcpy(vendor + 8, &r[2], 4);
	vendor[12] = 0;
	brand[0] = 0;
	cpuid(0x80000000, r);
	if (r[0] >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			cpuid(0x80000002 + i, r);
			memcpy(brand + 16 * i, r, 16);
		}
		brand[48] = 0;
	}
	cpuid(1, r);
	printk("cpu: %s family %u model %u stepping %u%s\n", vendor,
	       ((r[0] >> 8) & 0xf) + ((r[0] >> 20) & 0xff), ((r[0] >> 4) & 0xf) | ((r[0] >> 12) & 0xf0),
	       r[0] & 0xf, (r[2] & (1u << 31)) ? ", hypervisor" : "");
	if (brand[0]) {
		const char *b = brand;
		while (*b == ' ')
			b++;
		printk("cpu: %s\n", b);
	}
}

static void finish(int failures)
{
	if (kopt.qemu_exit)
		qemu_exit(failures ? 1 : 0);
	printk("uniprobe: done; halting\n");
	halt_forever();
}

void kmain(uint32_t magic, uint32_t info);

void kmain(uint32_t magic, uint32_t info)
{
	int bad_boot;

	serial_init();
	bad_boot = multiboot2_parse(magic, info);
	screen_console_init(&boot_info.fb);
	printk("\nuniprobe %s (%s) - dynamic instrumentation unikernel\n", UNIPROBE_VERSION, ARCH_NAME);
	if (bad_boot) {
		printk("uniprobe: not booted by a multiboot2 loader (magic %#x); stopping\n", magic);
		halt_forever();
	}
	cmdline_parse(boot_info.cmdline);
	console_list();
	cpu_print();
	bootinfo_print();
	tsc_init();
	arch_init();
	printk("mode: %s\n", boot_mode_name(kopt.mode));

	switch (kopt.mode) {
	case MODE_TEST:
		finish(ktest_run_all(kopt.test_filter) + kopt.errors);
		break;
	case MODE_BENCH:
	case MODE_TRACE:
		printk("uniprobe: mode '%s' has nothing to run yet\n", boot_mode_name(kopt.mode));
		finish(0);
		break;
	case MODE_IDLE:
		/* Stay up (screen tests dump the screen after this line). */
		printk("uniprobe: idle\n");
		halt_forever();
	}
}
