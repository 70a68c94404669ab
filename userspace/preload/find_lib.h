/* SPDX-License-Identifier: GPL-2.0 */
/*
 * find_lib.h - where `myheap run` and `myheap record` find their preload
 * libraries (cmd_run.c implements it).
 */
#ifndef MYHEAP_PRELOAD_FIND_LIB_H
#define MYHEAP_PRELOAD_FIND_LIB_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The absolute path of library @name in the first of: $MYHEAP_PRELOAD_DIR,
 * the directory of the running CLI, ../lib and ../lib/myheap beside it,
 * the install dir
 * (MYHEAP_PRELOAD_DIR at build time). False after printing where it looked.
 */
bool preload_find_lib(const char *cmd, const char *name, char *out, size_t len);

/* setenv LD_PRELOAD=@lib, in front of what is there already; false on ENOMEM. */
bool preload_set_env(const char *lib);

#endif /* MYHEAP_PRELOAD_FIND_LIB_H */
