/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pattern.h - the bytes every test and tool that owns a payload writes into
 * it: the native tests, fuzzers and replay of tests/core, the CLI's replay
 * through the mapping (userspace/tools), the selftests.
 *
 * Byte i of a block depends on the block's tag and on i only, so:
 *   - two live blocks never hold the same bytes at the same index, and a
 *     block overwritten by another (overlap) or moved without its contents
 *     is noticed;
 *   - the prefix realloc copies stays valid under the same tag, so after a
 *     realloc only the grown part has to be written.
 */
#ifndef MYHEAP_PATTERN_H
#define MYHEAP_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Write the pattern of @tag into bytes [@from, @to) of payload @p. */
void pattern_fill(void *p, size_t from, size_t to, uint32_t tag);

/*
 * Compare the first @len bytes of payload @p with the pattern of @tag.
 * Return @len when they all match, else the index of the first mismatch.
 */
size_t pattern_check(const void *p, size_t len, uint32_t tag);

/* Do the first @len bytes of payload @p hold the pattern of @tag? */
static inline bool pattern_intact(const void *p, size_t len, uint32_t tag)
{
	return pattern_check(p, len, tag) == len;
}

/* The byte pattern_fill() writes at index @i (for messages). */
uint8_t pattern_byte(uint32_t tag, size_t i);

#endif /* MYHEAP_PATTERN_H */
