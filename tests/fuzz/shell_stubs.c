/*
 * The rest of the kernel as the shell sees it, for tests/fuzz/fuzz_shell.c:
 * input comes from fuzz_shell's bytes through serial_read_char(); the
 * commands' back-ends accept and do nothing (probe definitions included:
 * fuzz_probe_events has those); reboot ends the input.
 */
#include "lib/ringbuf.h"
#include <setjmp.h>

#include "kernel/bench/bench.h"
#include "kernel/dev/acpi.h"
#include "kernel/dev/kbd.h"
#include "kernel/dev/console.h"
#include "kernel/probes/fentry.h"
#include "kernel/probes/kprobes.h"
#include "kernel/probes/shadow_stack.h"
#include "kernel/trace/fgraph.h"
#include "kernel/trace/probe_events.h"
#include "kernel/trace/trace.h"
#include "tests/fuzz/shell_stubs.h"

const uint8_t *shell_in;
size_t shell_in_left;
jmp_buf shell_in_end;

int serial_read_char(void)
{
	if (!shell_in_left)
		longjmp(shell_in_end, 1);
	shell_in_left--;
	return *shell_in++;
}

int kbd_init(void) { return -1; }
int kbd_read(void) { return -1; }
int bench_run_all(const char *filter) { (void)filter; return 0; }
void acpi_power_off(void) {}
void acpi_reboot(void) { longjmp(shell_in_end, 1); }
void fentry_get_stats(struct fentry_stats *s) { __builtin_memset(s, 0, sizeof(*s)); }
void shadow_stack_get_stats(struct shadow_stats *s) { __builtin_memset(s, 0, sizeof(*s)); }
void kprobe_report(void) {}
int fgraph_start(const char *glob, unsigned max_depth) { (void)glob, (void)max_depth; return 0; }
void fgraph_stop(void) {}
unsigned long fgraph_functions(void) { return 0; }
int function_tracer_start(const char *glob) { (void)glob; return 0; }
void function_tracer_stop(void) {}
void trace_reset(void) {}
/* fuzz_probe_events covers the definitions; here they only must arrive terminated. */
int probe_event_command(const char *def) { (void)__builtin_strlen(def); return 0; }
void probe_events_list(void) {}
void trace_print_function(trace_out_fn out, void *ctx) { out("  <idle>-0 func\n", ctx); }
void trace_print_graph(trace_out_fn out, void *ctx) { out("  | func() {\n", ctx); }
void trace_print_lines(trace_out_fn out, void *ctx, const char *tracer) { out(tracer ? tracer : "", ctx); }
void trace_out_printk(const char *line, void *ctx) { (void)line; (void)ctx; }
static struct ringbuf shim_rb;	/* always empty: trace pipe prints nothing */
struct ringbuf *trace_buffer(void) { return &shim_rb; }
unsigned long ringbuf_count(const struct ringbuf *rb) { return rb->head - rb->tail; }
int profile_start(const char *glob) { return glob && *glob ? 0 : -22; }
void profile_stop(void) {}
int profile_running(void) { return 0; }
const char *profile_glob(void) { return ""; }
unsigned long profile_functions(void) { return 0; }
void profile_show(trace_out_fn out, void *ctx) { out("profile", ctx); }
void smp_print_cpus(void) {}
int probe_events_enable(const char *glob, int enable) { (void)__builtin_strlen(glob); return enable; }
int probe_event_set_filter(const char *name, const char *expr)
{
	(void)__builtin_strlen(name);
	(void)__builtin_strlen(expr);
	return 0;
}
