/*
 * Host builds of lib/: lib/string.c defines names libc also has. Rename ours
 * so the host test links against both without interposing libc.
 */
#define memcpy lib_memcpy
#define memmove lib_memmove
#define memset lib_memset
#define memcmp lib_memcmp
#define strlen lib_strlen
#define strnlen lib_strnlen
#define strcmp lib_strcmp
#define strncmp lib_strncmp
#define strchr lib_strchr
#define strstr lib_strstr
#define strlcpy lib_strlcpy
#define vsnprintf lib_vsnprintf
#define snprintf lib_snprintf
