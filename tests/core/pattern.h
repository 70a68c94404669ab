/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pattern.h - the bytes the native tests, fuzzers and the replay tool write
 * into every payload they own.
 *
 * Byte i of a block depends on the block's tag and on i only, so:
 *   - two live blocks never hold the same bytes at the same index, and a
 *     block overwritten by another (overlap) or moved without its contents
 *     is noticed;
 *   - the prefix realloc copies stays valid under the same tag, so after a
 *     realloc only the grown part has to be written.
 */
#ifndef MH_TEST_PATTERN_H
#define MH_TEST_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* Write the pattern of @tag into bytes [@from, @to) of payload @p. */
void pattern_fill(uint8_t *p, size_t from, size_t to, uint32_t tag);

/*
 * Compare the first @len bytes of payload @p with the pattern of @tag.
 * Return @len when they all match, else the index of the first mismatch.
 */
size_t pattern_check(const uint8_t *p, size_t len, uint32_t tag);

/* The byte pattern_fill() writes at index @i (for messages). */
uint8_t pattern_byte(uint32_t tag, size_t i);

#endif /* MH_TEST_PATTERN_H */
