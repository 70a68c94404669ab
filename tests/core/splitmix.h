/* SPDX-License-Identifier: GPL-2.0 */
/*
 * splitmix.h - the one pseudo-random generator of the native tests:
 * splitmix64 (Steele, Lea, Flood 2014). Small, good enough for op streams,
 * salts and attack schedules, and reproducible from a seed, so a failing
 * case can be replayed from the seed it prints.
 */
#ifndef MH_SPLITMIX_H
#define MH_SPLITMIX_H

#include "mh_port.h"

/* Advance @state and return the next 64 random bits. */
static inline u64 splitmix64(u64 *state)
{
	u64 z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif /* MH_SPLITMIX_H */
