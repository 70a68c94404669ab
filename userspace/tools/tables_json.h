/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --json forms of the debugfs tables the kernel prints as text (owners,
 * events, frag), built from the same text: one snapshot, the same figures.
 */
#ifndef MYHEAP_TABLES_JSON_H
#define MYHEAP_TABLES_JSON_H

#include "cli.h"

/* Each returns an exit code. */
int view_owners_json(struct cli *cli);
int view_events_json(struct cli *cli);
int view_frag_json(struct cli *cli);

#endif /* MYHEAP_TABLES_JSON_H */
