// SPDX-License-Identifier: GPL-2.0
/*
 * mh_port_user.c - what mh_port.h declares for native builds of the core
 * (tests, fuzzers, replay): the random numbers behind the header salt and
 * the attacker hook on region loads. Linked into every native binary; the
 * kernel build has its own inline versions in mh_port.h.
 */
#include "mh_port.h"
#include "splitmix.h"

mh_load_hook_fn mh_load_hook;

/* The salt comes from splitmix64, so a seed reproduces it. */
static u64 mh_port_state = 0x6d79686561702121ull;

void mh_port_seed(u64 seed)
{
	mh_port_state = seed;
}

u32 mh_port_random_u32(void)
{
	return (u32)(splitmix64(&mh_port_state) >> 32);
}
