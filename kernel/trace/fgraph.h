/*
 * The function-graph tracer: one user of the shared shadow stack that
 * records every entry and return (with its duration) of the functions
 * matching a glob, up to a maximum depth, and prints Linux's
 * function_graph format.
 */
#ifndef KERNEL_FGRAPH_H
#define KERNEL_FGRAPH_H

/* Start tracing functions matching glob (NULL: all), at most max_depth deep (0: no limit). */
int fgraph_start(const char *glob, unsigned max_depth);
void fgraph_stop(void);
/* Print (and consume) the recorded graph on all consoles. */
void fgraph_print(void);
unsigned long fgraph_functions(void);	/* functions attached */

/* The function tracer: records (ip, parent ip, time) for matching functions. */
int function_tracer_start(const char *glob);
void function_tracer_stop(void);

#endif
