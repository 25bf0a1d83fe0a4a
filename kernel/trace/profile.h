/*
 * The function profiler (Linux's function_profile / trace_stat): one more
 * user of the shared shadow stack that counts, per hooked function, the
 * calls that returned, their total and their longest duration. Counters sit
 * in one table with a row per fentry site (allocated by profile_init), so a
 * hit only adds; nothing is recorded in the trace buffer, nothing prints.
 */
#ifndef KERNEL_PROFILE_H
#define KERNEL_PROFILE_H
#include <stdint.h>
#include "kernel/trace/trace.h"

#define PROFILE_GLOB_MAX	64	/* with the NUL */

struct profile_stat {
	unsigned long hits;	/* calls that returned */
	uint64_t total, max;	/* TSC units (instructions under icount) */
};

/* Allocate the table (one row per fentry site); once, after ftrace_init. */
int profile_init(void);
/*
 * Profile the functions matching glob from zero. -EINVAL (empty or too
 * long glob), -ENOENT (no traceable function matches) or -ENOMEM (no table)
 * change nothing: a running profile goes on.
 */
int profile_start(const char *glob);
void profile_stop(void);		/* unhook; the counts stay for show */
int profile_running(void);
const char *profile_glob(void);		/* of the last start, "" if none */
unsigned long profile_functions(void);	/* functions hooked by the last start */
/* The counts of the function at func (0), or -ENOENT. */
int profile_get(unsigned long func, struct profile_stat *st);
/* The table, sorted by total time, one line per out() call. */
void profile_show(trace_out_fn out, void *ctx);

#endif
