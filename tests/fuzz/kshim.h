/*
 * Host stand-ins for the kernel functions the fuzzed parsers call (see
 * kshim.c). The parsers themselves are the kernel's own files, built for the
 * host with ASan + UBSan; nothing of theirs is copied here.
 */
#ifndef FUZZ_KSHIM_H
#define FUZZ_KSHIM_H
#include <stddef.h>
#include <stdint.h>

/* Pages the fake page tables map: what arch_page_attr() and mm_map_mmio() accept. */
void kshim_pages_reset(void);
void kshim_pages_add(uintptr_t start, size_t len);
/* Fake "physical memory": a chunk mapped at its own address (host address == phys). */
int kshim_phys_map(uint64_t phys, const uint8_t *data, size_t len);
void kshim_phys_unmap_all(void);

/*
 * Multiboot2 boot information made of `tags` (no end tag needed), at a 32-bit
 * address, ending right before an unmapped page: reading past it faults.
 * Returns the address for multiboot2_parse(), 0 if it cannot be mapped.
 */
uint32_t kshim_mb2_info(const uint8_t *tags, size_t len);
void kshim_mb2_free(void);

/* Registrations the probe-event code made and did not undo (must be 0 when it is clean). */
extern long kshim_registered;
/* trace_event_add's last record and its values (kshim.c) */
struct trace_record;
extern struct trace_record kshim_last_event;
extern unsigned char kshim_last_data[];
extern unsigned kshim_last_len;

#endif
