/* The four C library functions a freestanding program must still provide: GCC and Clang emit
 * calls to memcpy, memmove, memset and memcmp for struct copies and large initializations even
 * with -ffreestanding (GCC manual, "C Dialect Options" / -ffreestanding; "Standards").
 */
#ifndef VMBENCH_GUEST_GUEST_LIBC_H_
#define VMBENCH_GUEST_GUEST_LIBC_H_

#include <stddef.h>

void* memcpy(void* restrict destination, const void* restrict source, size_t size);
void* memmove(void* destination, const void* source, size_t size);
void* memset(void* destination, int value, size_t size);
int memcmp(const void* left, const void* right, size_t size);

/* -ffreestanding implies -fno-builtin, so a plain memcpy(&u32, p, 4) would be a call. Through the
 * builtins the compiler inlines small fixed-size copies (one unaligned load or store) and calls
 * the functions above for the rest. guest_libc.c defines GUEST_LIBC_IMPLEMENTATION so that it
 * defines the functions themselves. */
#ifndef GUEST_LIBC_IMPLEMENTATION
#define memcpy(destination, source, size) __builtin_memcpy(destination, source, size)
#define memmove(destination, source, size) __builtin_memmove(destination, source, size)
#define memset(destination, value, size) __builtin_memset(destination, value, size)
#define memcmp(left, right, size) __builtin_memcmp(left, right, size)
#endif

#endif /* VMBENCH_GUEST_GUEST_LIBC_H_ */
