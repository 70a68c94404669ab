// SPDX-License-Identifier: GPL-2.0
/*
 * mh_port_user.c - what mh_port.h declares for native builds of the core
 * (tests, fuzzers, replay): the random numbers behind the header salt and
 * the attacker hook on region loads. Linked into every native binary; the
 * kernel build has its own inline versions in mh_port.h.
 */
#include "mh_port.h"

mh_load_hook_fn mh_load_hook;

/* splitmix64: small, good enough for a salt, and reproducible by seed. */
static u64 mh_port_state = 0x6d79686561702121ull;

void mh_port_seed(u64 seed)
{
	mh_port_state = seed;
}

u32 mh_port_random_u32(void)
{
	u64 z = (mh_port_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return (u32)((z ^ (z >> 31)) >> 32);
}
