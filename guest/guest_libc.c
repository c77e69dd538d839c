/* memcpy, memmove, memset and memcmp for the guest.
 *
 * The copies and fills are single `rep movsb` / `rep stosb` instructions: small, fast on CPUs
 * with ERMS, and, being asm, they cannot be turned back into a call to themselves (GCC's loop
 * distribution would rewrite a plain byte loop in memset into a call to memset; the build also
 * passes -fno-tree-loop-distribute-patterns for any loop elsewhere). These are string *memory*
 * instructions, not string I/O, so no backend has to emulate them.
 */
#define GUEST_LIBC_IMPLEMENTATION
#include "guest_libc.h"

#include <stddef.h>
#include <stdint.h>

void* memcpy(void* restrict destination, const void* restrict source, size_t size) {
  void* const result = destination;
  __asm__ volatile("rep movsb" : "+D"(destination), "+S"(source), "+c"(size) : : "memory");
  return result;
}

void* memmove(void* destination, const void* source, size_t size) {
  void* const result = destination;
  if ((uintptr_t)destination - (uintptr_t)source >= size) {
    /* The destination starts before the source or after its end: a forward copy never
     * overwrites a byte before reading it. */
    __asm__ volatile("rep movsb" : "+D"(destination), "+S"(source), "+c"(size) : : "memory");
  } else {
    /* The destination overlaps the end of the source: copy backwards, from the last byte. The
     * ABI requires DF = 0 outside this instruction. */
    unsigned char* last_destination = (unsigned char*)destination + size - 1;
    const unsigned char* last_source = (const unsigned char*)source + size - 1;
    __asm__ volatile("std\n\trep movsb\n\tcld"
                     : "+D"(last_destination), "+S"(last_source), "+c"(size)
                     :
                     : "memory");
  }
  return result;
}

void* memset(void* destination, int value, size_t size) {
  void* const result = destination;
  __asm__ volatile("rep stosb" : "+D"(destination), "+c"(size) : "a"(value) : "memory");
  return result;
}

int memcmp(const void* left, const void* right, size_t size) {
  const unsigned char* a = left;
  const unsigned char* b = right;
  for (size_t i = 0; i < size; ++i) {
    if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}
