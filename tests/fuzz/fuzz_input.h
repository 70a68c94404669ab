/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fuzz_input.h - reading a fuzzer's bytes as a stream of small numbers;
 * past the end every read yields 0, so any input decodes to something.
 */
#ifndef MH_FUZZ_INPUT_H
#define MH_FUZZ_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct fuzz_input {
	const uint8_t *data;
	size_t size;
	size_t pos;
};

static inline int fuzz_more(const struct fuzz_input *in)
{
	return in->pos < in->size;
}

static inline uint32_t fuzz_u8(struct fuzz_input *in)
{
	return in->pos < in->size ? in->data[in->pos++] : 0;
}

static inline uint32_t fuzz_u16(struct fuzz_input *in)
{
	uint32_t lo = fuzz_u8(in);

	return lo | fuzz_u8(in) << 8;
}

static inline uint32_t fuzz_u32(struct fuzz_input *in)
{
	uint32_t lo = fuzz_u16(in);

	return lo | fuzz_u16(in) << 16;
}

/* A size from 1 up to 64 KiB, small ones far more likely. */
static inline size_t fuzz_size(struct fuzz_input *in)
{
	uint32_t shift = fuzz_u8(in) % 17;

	return 1 + (fuzz_u16(in) >> shift);
}

#endif /* MH_FUZZ_INPUT_H */
