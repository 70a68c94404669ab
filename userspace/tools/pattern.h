/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Payload patterns for replay: byte i of a block with tag t has a value
 * that depends on both, so a block that moved, was overwritten by a
 * neighbour or lost its tail reads wrong.
 */
#ifndef MYHEAP_PATTERN_H
#define MYHEAP_PATTERN_H

#include <stddef.h>
#include <stdint.h>

/* Write the pattern of @tag into bytes [@from, @to) of @p. */
void pattern_fill(uint8_t *p, size_t from, size_t to, uint32_t tag);
/* Index of the first of @len bytes that is wrong, or @len if all agree. */
size_t pattern_check(const uint8_t *p, size_t len, uint32_t tag);

#endif /* MYHEAP_PATTERN_H */
