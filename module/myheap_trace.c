// SPDX-License-Identifier: GPL-2.0
/*
 * The one file that instantiates the myheap tracepoints (see
 * myheap_trace.h); every other file only includes the header.
 */
#define CREATE_TRACE_POINTS
#include "myheap_trace.h"
