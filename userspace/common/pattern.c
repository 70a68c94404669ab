// SPDX-License-Identifier: GPL-2.0
/*
 * pattern.c - payload patterns, computed a 64-bit word at a time because the
 * replay tools verify gigabytes of realloc'ed payload per run (and the
 * CLI's replay does it through the mapping, under emulation in the VM).
 */
#include <string.h>

#include "pattern.h"

/* A cheap mixing function, so neighbouring words and tags look unrelated. */
static uint64_t pattern_word(uint32_t tag, uint64_t k)
{
	uint64_t x = (k + tag * 0x9e3779b97f4a7c15ull) * 0xbf58476d1ce4e5b9ull;

	return x ^ (x >> 31);
}

uint8_t pattern_byte(uint32_t tag, size_t i)
{
	return (uint8_t)(pattern_word(tag, i / 8) >> (8 * (i % 8)));
}

/* Whole words go through memcpy only where that equals the byte order. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define PATTERN_WORDWISE 1
#else
#define PATTERN_WORDWISE 0
#endif

void pattern_fill(void *payload, size_t from, size_t to, uint32_t tag)
{
	uint8_t *p = payload;
	size_t i = from;

	for (; i < to && (i % 8 || !PATTERN_WORDWISE); i++)
		p[i] = pattern_byte(tag, i);
	for (; i + 8 <= to; i += 8) {
		uint64_t w = pattern_word(tag, i / 8);

		memcpy(p + i, &w, 8);
	}
	for (; i < to; i++)
		p[i] = pattern_byte(tag, i);
}

size_t pattern_check(const void *payload, size_t len, uint32_t tag)
{
	const uint8_t *p = payload;
	size_t i = 0;

	if (PATTERN_WORDWISE) {
		for (; i + 8 <= len; i += 8) {
			uint64_t have;

			/* a fixed-size memcpy is a plain load, memcmp a call */
			memcpy(&have, p + i, 8);
			if (have != pattern_word(tag, i / 8))
				break;
		}
	}
	for (; i < len; i++)
		if (p[i] != pattern_byte(tag, i))
			return i;
	return len;
}
