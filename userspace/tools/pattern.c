// SPDX-License-Identifier: GPL-2.0
/*
 * Payload patterns (see pattern.h), a 64-bit word at a time: a replay
 * writes and checks every payload byte through the mapping, megabytes per
 * trace, and under emulation bytewise loops would dominate the run.
 */
#include <string.h>

#include "pattern.h"

static uint64_t word(uint32_t tag, uint64_t k)
{
	uint64_t x = (k + tag * 0x9e3779b97f4a7c15ull) * 0xbf58476d1ce4e5b9ull;

	return x ^ (x >> 31);
}

/* Byte i is byte i % 8 of word i / 8, little-endian, whatever the host. */
static uint8_t byte_at(uint32_t tag, size_t i)
{
	return (uint8_t)(word(tag, i / 8) >> (8 * (i % 8)));
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORDWISE 1
#else
#define WORDWISE 0
#endif

void pattern_fill(uint8_t *p, size_t from, size_t to, uint32_t tag)
{
	size_t i = from;

	for (; i < to && (i % 8 || !WORDWISE); i++)
		p[i] = byte_at(tag, i);
	for (; i + 8 <= to; i += 8) {
		uint64_t w = word(tag, i / 8);

		memcpy(p + i, &w, 8);
	}
	for (; i < to; i++)
		p[i] = byte_at(tag, i);
}

size_t pattern_check(const uint8_t *p, size_t len, uint32_t tag)
{
	size_t i = 0;

	for (; WORDWISE && i + 8 <= len; i += 8) {
		uint64_t have;

		memcpy(&have, p + i, 8);
		if (have != word(tag, i / 8))
			break;
	}
	for (; i < len; i++)
		if (p[i] != byte_at(tag, i))
			return i;
	return len;
}
