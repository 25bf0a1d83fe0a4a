/*
 * The kernel command line: space-separated key=value options (values may be
 * double-quoted). Unknown keys and bad values are reported and counted.
 */
#ifndef KERNEL_CMDLINE_H
#define KERNEL_CMDLINE_H

enum boot_mode { MODE_BENCH, MODE_TEST, MODE_TRACE, MODE_IDLE };

#define CMDLINE_MAX_PROBES	8
#define CMDLINE_PROBE_MAX	192	/* a probe= definition, NUL included */

struct kernel_options {
	enum boot_mode mode;
	unsigned consoles;	/* CON_* mask printk may use; default all */
	int qemu_exit;		/* exit QEMU through isa-debug-exit when done */
	int icount;		/* the host says rdtsc counts instructions */
	int hook_all;		/* mode=test: trace and graph every function meanwhile */
	int qr;			/* mode=bench: results as QR codes on the screen; -1: unless qemu_exit */
	int cpus;		/* cpus=N: start at most N CPUs (1: only the boot CPU); 0: all */
	int fault_cpu;		/* fault_cpu=N (tests): CPU N faults on purpose after bring-up */
	char test_filter[64];	/* glob on "suite" or "suite.case" */
	char bench_filter[64];	/* glob on scenario ids */
	/* mode=trace: trace=[graph:|function:]GLOB, profile=GLOB ("": not given) */
	int trace_function;	/* the function tracer instead of function_graph */
	char trace_glob[64];
	char profile_glob[64];
	/* probe="p:NAME SYMBOL ..." (repeatable): applied once the kernel core is up */
	char probes[CMDLINE_MAX_PROBES][CMDLINE_PROBE_MAX];
	int probe_count;
	int errors;		/* malformed or unknown options seen */
};

extern struct kernel_options kopt;

/* Parse into kopt. Returns the number of errors (each already printed). */
int cmdline_parse(const char *cmdline);
const char *boot_mode_name(enum boot_mode mode);

/*
 * Split the next option off *p: key and value (value "" when there is no
 * '='). Double quotes group spaces; \" is a quote too and \\ a backslash
 * (GRUB escapes quotes it passes on that way). Returns 0 at the end, 1 for
 * an option, -1 for a malformed one (unterminated quote, over-long key or
 * value).
 */
int cmdline_next(const char **p, char *key, unsigned key_size, char *value, unsigned value_size);

#endif
