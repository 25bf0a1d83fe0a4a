/*
 * A ring of fixed-size items in memory the caller provides. When it is full,
 * new items are refused and counted (Linux's trace buffer with overwrite=0):
 * the oldest items survive. One producer and one consumer; the caller keeps
 * them from running at the same time on one item (e.g. interrupts off).
 *
 * head and tail count items ever written and ever consumed; they run freely
 * and wrap around, so head - tail is the fill level and (index & mask) the
 * slot. The capacity must be a power of two.
 */
#ifndef LIB_RINGBUF_H
#define LIB_RINGBUF_H
#include <stddef.h>

struct ringbuf {
	unsigned char *mem;	/* capacity * item_size bytes */
	size_t item_size;
	unsigned long mask;	/* capacity - 1 */
	unsigned long head;	/* next item to write */
	unsigned long tail;	/* oldest item not yet consumed */
	unsigned long dropped;	/* puts refused because the ring was full */
};

/* Returns 0, or -1 (and leaves rb alone) for a zero size or a capacity that is not a power of two. */
int ringbuf_init(struct ringbuf *rb, void *mem, size_t item_size, unsigned long capacity);
/* Empty the ring and clear the drop count. */
void ringbuf_reset(struct ringbuf *rb);
/* Copy one item in. Returns 0, or -1 and counts a drop if full. */
int ringbuf_put(struct ringbuf *rb, const void *item);
/*
 * The same in two steps, to fill the slot in place (a struct assignment
 * instead of a byte copy): the slot the next item goes to, or NULL and a
 * drop counted if full; then ringbuf_commit makes it visible. Inline: they
 * sit on tracing hot paths.
 */
static inline void *ringbuf_reserve(struct ringbuf *rb)
{
	unsigned long head = rb->head;

	if (head - rb->tail > rb->mask) {
		rb->dropped++;
		return NULL;
	}
	return rb->mem + (head & rb->mask) * rb->item_size;
}

static inline void ringbuf_commit(struct ringbuf *rb)
{
	__asm__ volatile("" ::: "memory");	/* the item's stores before the head's */
	rb->head++;
}
/*
 * Several items that go in together or not at all: room for n (0, or -1
 * and nothing counted), the k-th free slot (k < n, after ringbuf_room said
 * yes), then ringbuf_commit_n makes all n visible at once.
 */
static inline int ringbuf_room(const struct ringbuf *rb, unsigned long n)
{
	return rb->mask + 1 - (rb->head - rb->tail) >= n ? 0 : -1;
}

static inline void *ringbuf_slot(const struct ringbuf *rb, unsigned long k)
{
	return rb->mem + ((rb->head + k) & rb->mask) * rb->item_size;
}

static inline void ringbuf_commit_n(struct ringbuf *rb, unsigned long n)
{
	__asm__ volatile("" ::: "memory");	/* the items' stores before the head's */
	rb->head += n;
}

/* The i-th oldest item (0 = oldest), or NULL if there are not that many. */
void *ringbuf_peek(const struct ringbuf *rb, unsigned long i);
/* Forget the n oldest items (at most as many as there are). */
void ringbuf_consume(struct ringbuf *rb, unsigned long n);
unsigned long ringbuf_count(const struct ringbuf *rb);
unsigned long ringbuf_capacity(const struct ringbuf *rb);

#endif
