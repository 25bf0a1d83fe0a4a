/*
 * Probe events defined by text, in the syntax of Linux's kprobe_events,
 * from the kernel command line (probe="...", repeatable) or the console:
 *
 *   p[:NAME] SYMBOL[+OFFS]|ADDR [FETCHARGS]   a probe (entry or any instruction)
 *   r[:NAME] SYMBOL [FETCHARGS]               a return hook
 *   -:NAME                                    remove an event
 *
 * FETCHARGS are [NAME=]FETCHARG[:TYPE], up to PE_MAX_ARGS:
 *
 *   %REG       a register: pt_regs names (%ax %di %sp %ip %flags, %r8..%r15
 *              on x86_64) or the arch's own (%rdi, %eax, %rip ...)
 *   $argN      the N-th integer argument, counted from 0 (Linux counts from
 *              1), as the ABI places it at function entry: p at offset 0 only
 *   $stackN    the N-th word on the stack ($stack0: the return address at
 *              entry); $stack: the stack pointer
 *   $retval    the return value (r only)
 *   @ADDR, @SYMBOL[+OFFS]   the word at that address
 *   +|-OFFS(FETCHARG)       the memory at FETCHARG + OFFS (nests)
 *
 *   PARAM, PARAM->MEMBER.MEMBER..., $argN->..., $retval->..., $arg*
 *              by name, typed, through the kernel's BTF (kernel/trace/probe_btf.h)
 *
 * TYPE is u8 u16 u32 u64 s8 s16 s32 s64 x8 x16 x32 x64 (default: x of the
 * word size), string (the NUL-terminated string at the address given, as
 * in Linux: +0(%di):string or just %di:string) or symbol (sym+off/size).
 * Unnamed arguments are called arg1, arg2 ... as in Linux.
 *
 * A definition may end with a filter, `if EXPR` (Linux's filter syntax on
 * the event's argument names): comparisons NAME OP VALUE with OP one of
 * == != < <= > >= & (bits in common), or NAME == "GLOB" / NAME != "GLOB" /
 * NAME ~ "GLOB" on string arguments, joined by && || !, in parentheses.
 * A comparison on an argument that faulted is false. Hits the filter
 * rejects are counted, not recorded.
 *
 * `p SYMBOL` at offset 0 of a traceable function is an fentry hook
 * (ftrace_ops); any other address is a kprobe. `r` is a rethook (entered
 * by the fentry site, or by a kprobe where there is none). A hit fetches
 * the arguments into one record of the trace buffer (kernel/trace/trace.h:
 * a TRACE_EVENT record and its values) and prints nothing: readers (`trace
 * show`, `trace pipe`, mode=trace) format it later as Linux does:
 *
 *   <idle>-0       [000] d..1.    12.345678: myp: (kmalloc+0x0/0x60) size=64
 *   <idle>-0       [000] d..1.    12.345690: myr: (boot+0x2a/0x80 <- kmalloc) arg1=0x4a0010
 *
 * Strings are copied at the hit (up to PE_STRING_MAX characters). Memory is
 * read only when mapped (and under fault_catch): a bad address records a
 * fault, printed (fault). Events are kept until removed; a disabled event
 * keeps its definition and counters but is not armed.
 */
#ifndef KERNEL_PROBE_EVENTS_H
#define KERNEL_PROBE_EVENTS_H
#include <stddef.h>
#include <stdint.h>
#include "kernel/arch.h"
#include "kernel/probes/fentry.h"
#include "kernel/probes/kprobes.h"
#include "kernel/probes/rethook.h"

#define PE_MAX_EVENTS	65536
#define PE_MAX_ARGS	8
#define PE_MAX_DEREF	4	/* nested +OFFS(...) per argument */
#define PE_NAME_MAX	32
#define PE_DEF_MAX	256	/* a definition's text */
#define PE_STRING_MAX	64	/* characters a :string prints */
#define PE_LINE_MAX	256	/* an event line (longer is cut) */

enum pe_base { PE_REG, PE_ARG, PE_STACK, PE_STACKP, PE_RETVAL, PE_ADDR };
enum pe_type_kind { PE_T_U, PE_T_S, PE_T_X, PE_T_STRING, PE_T_SYMBOL };

struct pe_fetch {
	uint8_t base;		/* enum pe_base */
	uint8_t nderef;		/* derefs applied to the base, innermost first */
	uint16_t index;		/* PE_REG: pt_regs offset; PE_ARG, PE_STACK: N */
	unsigned long addr;	/* PE_ADDR */
	long offs[PE_MAX_DEREF];
};

struct pe_arg {
	char name[PE_NAME_MAX];
	struct pe_fetch fetch;
	uint8_t kind;		/* enum pe_type_kind */
	uint8_t size;		/* bytes: 1, 2, 4, 8 (string, symbol: a word) */
};

enum pe_via { PE_VIA_NONE, PE_VIA_FENTRY, PE_VIA_KPROBE, PE_VIA_RETHOOK };

/* A filter, compiled to postfix: conditions, then &&, ||, ! on their results. */
#define PE_FILTER_OPS	16
#define PE_FILTER_STR	32
enum pe_filter_op { PF_COND, PF_AND, PF_OR, PF_NOT };
enum pe_cmp { PC_EQ, PC_NE, PC_LT, PC_LE, PC_GT, PC_GE, PC_AND, PC_GLOB, PC_NOT_GLOB };

struct pe_cond {
	uint8_t arg;			/* index into args */
	uint8_t cmp;			/* enum pe_cmp */
	uint64_t value;
	char str[PE_FILTER_STR];	/* PC_GLOB, PC_NOT_GLOB */
};

struct pe_filter {
	uint8_t n;			/* 0: no filter */
	uint8_t op[PE_FILTER_OPS];	/* enum pe_filter_op */
	struct pe_cond cond[PE_FILTER_OPS];	/* for PF_COND at the same index */
};

/* An argument's value as recorded at a hit, for the filter and the printer. */
struct pe_value {
	uint8_t fault;
	uint8_t cut;			/* string longer than PE_STRING_MAX */
	uint8_t len;			/* string: characters in s */
	uint64_t v;
	const char *s;			/* string: not NUL-terminated */
};

struct probe_event {
	char name[PE_NAME_MAX];
	char kind;			/* 'p' or 'r' */
	char symbol[64];		/* "" when given as an address */
	unsigned long offset;
	unsigned long addr;		/* resolved probed address */
	int nargs;
	struct pe_arg args[PE_MAX_ARGS];
	struct pe_filter filter;
	char def[PE_DEF_MAX];		/* the text it was defined with */
	/* while defined: */
	uint32_t id;			/* its slot; records name it by slot and gen */
	uint16_t gen;
	uint8_t enabled;
	int via;			/* enum pe_via, PE_VIA_NONE while disabled */
	unsigned long hits, missed, filtered, dropped;
	struct kprobe kp;
	struct ftrace_ops ops;
	struct rethook rh;
};

/*
 * Parse def into ev (nothing registered). 0, or -EINVAL with err holding
 * the offending token and what was expected there.
 */
int probe_event_parse(const char *def, struct probe_event *ev, char *err, size_t err_size);

/*
 * Define (p/r) or remove (-:NAME) an event from its text. 0, or a negative
 * error after printing why on every console; a bad definition changes nothing.
 */
int probe_event_command(const char *def);
/* The same without printing: 0 and *out, or a negative error with err saying why. */
int probe_event_create(const char *def, struct probe_event **out, char *err, size_t err_size);
/* Disarm and free ev (from probe_event_find or _create); its records print as removed. */
void probe_event_delete(struct probe_event *ev);
struct probe_event *probe_event_find(const char *name);
int probe_event_remove(const char *name);
/* One line per event: name, where, how, hits, misses, definition. */
void probe_events_list(void);
/* Apply the probe= definitions of the command line; returns the failures. */
int probe_events_apply_cmdline(void);

/*
 * The event line for a hit at `where` (r: the return address, func the
 * function) as a reader prints it, fetched from regs now: for tests.
 */
size_t probe_event_format(const struct probe_event *ev, struct pt_regs *regs, unsigned long where,
			  unsigned long func, char *buf, size_t size);
/*
 * A TRACE_EVENT record's text after the context columns: "NAME: (where) a=1 ...",
 * with data its values (trace_event_data). Events removed since print as such.
 */
struct strbuf;
struct trace_record;
void probe_event_record_text(struct strbuf *l, const struct trace_record *r, const void *data,
			     unsigned len);

/* enable/disable by name or glob: the number of events changed, or a negative error. */
int probe_events_enable(const char *glob, int enable);
/* Set (expr) or clear (expr NULL or "0") an event's filter; a bad one changes nothing. */
int probe_event_set_filter(const char *name, const char *expr);
unsigned long probe_events_count(void);

/* kernel/trace/probe_filter.c: parse `expr` for ev's arguments; 0 or -EINVAL with err set. */
int pe_filter_parse(const struct probe_event *ev, const char *expr, struct pe_filter *f, char *err,
		    size_t err_size);
/* Whether values (one per argument of ev) pass f. */
int pe_filter_match(const struct pe_filter *f, const struct probe_event *ev,
		    const struct pe_value *values);

/* Read len bytes at addr when mapped and readable: 0, or -EFAULT (dst may be partly written). */
int probe_read_mem(unsigned long addr, void *dst, size_t len);

#endif
