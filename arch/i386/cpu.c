/* Descriptor tables and exception entry: filled in by the kernel core. */
#include "kernel/arch.h"

void arch_init(void)
{
}
