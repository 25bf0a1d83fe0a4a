/* Freestanding string and memory functions (the compiler may call the mem* ones). */
#ifndef LIB_STRING_H
#define LIB_STRING_H
#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
size_t strlcpy(char *dst, const char *src, size_t size);
int str_starts_with(const char *s, const char *prefix);
int glob_match(const char *pattern, const char *s);
int parse_ulong(const char *s, const char **end, unsigned long *out);

#endif
