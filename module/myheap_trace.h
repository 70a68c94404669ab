/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of myheap.ko: TRACE_SYSTEM myheap, in tracefs under
 * events/myheap/. Every heap operation (alloc, free, realloc) with its
 * result, every structural change the core reports (split, coalesce) and
 * every damage it detects (corruption), and policy changes.
 *
 * Fields are region offsets and sizes, never kernel addresses. "owner" is
 * the owner id of the open file that asked (unique for the module's
 * lifetime, struct myheap_file.id) and "pid" its opener's thread group id; offsets of alloc,
 * free and realloc are payload offsets (what userspace sees), those of
 * split, coalesce and corruption are block (header) offsets.
 *
 * Defined the out-of-tree way: myheap_trace.c defines CREATE_TRACE_POINTS
 * before including this file, and define_trace.h finds it again through
 * TRACE_INCLUDE_PATH (".", resolved against the -I of module/ in Kbuild).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM myheap

#if !defined(_MYHEAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _MYHEAP_TRACE_H

#include <linux/tracepoint.h>
#include <linux/types.h>

#include "mh_core.h"

/* enum mh_policy by name, defined once for the enum map and the output. */
#define MYHEAP_TRACE_POLICIES				\
	EM(MH_FIRST_FIT, "first")			\
	EM(MH_NEXT_FIT, "next")				\
	EM(MH_BEST_FIT, "best")				\
	EM(MH_WORST_FIT, "worst")			\
	EM(MH_SEGREGATED, "segregated")			\
	EM(MH_BUDDY, "buddy")				\
	EMe(MH_POOLS, "pools")

/* Export the enum values to userspace tools (perf, trace-cmd). */
#undef EM
#undef EMe
#define EM(a, b)	TRACE_DEFINE_ENUM(a);
#define EMe(a, b)	TRACE_DEFINE_ENUM(a);

MYHEAP_TRACE_POLICIES

/* ... and print them by name. */
#undef EM
#undef EMe
#define EM(a, b)	{ a, b },
#define EMe(a, b)	{ a, b }

TRACE_EVENT(myheap_alloc,
	    TP_PROTO(u64 owner, int pid, u64 size, u64 align, u32 flags,
		     u64 offset, u64 usable, u64 searched, int result),
	    TP_ARGS(owner, pid, size, align, flags, offset, usable, searched,
		    result),
	    TP_STRUCT__entry(__field(u64, owner)
			     __field(int, pid)
			     __field(u32, flags)
			     __field(u64, size)
			     __field(u64, align)
			     __field(u64, offset)
			     __field(u64, usable)
			     __field(u64, searched)
			     __field(int, result)),
	    TP_fast_assign(__entry->owner = owner;
			   __entry->pid = pid;
			   __entry->flags = flags;
			   __entry->size = size;
			   __entry->align = align;
			   __entry->offset = offset;
			   __entry->usable = usable;
			   __entry->searched = searched;
			   __entry->result = result;),
	    TP_printk("owner=%llu pid=%d size=%llu align=%llu flags=%u offset=%llu usable=%llu result=%d searched=%llu",
		      __entry->owner, __entry->pid, __entry->size,
		      __entry->align, __entry->flags, __entry->offset,
		      __entry->usable, __entry->result, __entry->searched)
);

TRACE_EVENT(myheap_free,
	    TP_PROTO(u64 owner, int pid, u64 offset, u64 size, int result),
	    TP_ARGS(owner, pid, offset, size, result),
	    TP_STRUCT__entry(__field(u64, owner)
			     __field(int, pid)
			     __field(u64, offset)
			     __field(u64, size)
			     __field(int, result)),
	    TP_fast_assign(__entry->owner = owner;
			   __entry->pid = pid;
			   __entry->offset = offset;
			   __entry->size = size;
			   __entry->result = result;),
	    TP_printk("owner=%llu pid=%d offset=%llu size=%llu result=%d",
		      __entry->owner, __entry->pid, __entry->offset,
		      __entry->size, __entry->result)
);

TRACE_EVENT(myheap_realloc,
	    TP_PROTO(u64 owner, int pid, u64 offset, u64 old_size, u64 size,
		     u64 new_offset, u64 usable, int result),
	    TP_ARGS(owner, pid, offset, old_size, size, new_offset, usable,
		    result),
	    TP_STRUCT__entry(__field(u64, owner)
			     __field(int, pid)
			     __field(u64, offset)
			     __field(u64, old_size)
			     __field(u64, size)
			     __field(u64, new_offset)
			     __field(u64, usable)
			     __field(int, result)),
	    TP_fast_assign(__entry->owner = owner;
			   __entry->pid = pid;
			   __entry->offset = offset;
			   __entry->old_size = old_size;
			   __entry->size = size;
			   __entry->new_offset = new_offset;
			   __entry->usable = usable;
			   __entry->result = result;),
	    TP_printk("owner=%llu pid=%d offset=%llu old_size=%llu size=%llu new_offset=%llu usable=%llu result=%d",
		      __entry->owner, __entry->pid, __entry->offset,
		      __entry->old_size, __entry->size, __entry->new_offset,
		      __entry->usable, __entry->result)
);

/*
 * The core reports splits, coalesces, slots and damage through an
 * indirect call to its observer; the tracepoints of those events have the
 * observer installed only while one of them has a probe (myheap_ops.c).
 */
int myheap_observe_reg(void);
void myheap_observe_unreg(void);

DECLARE_EVENT_CLASS(myheap_block,
		    TP_PROTO(u32 offset, u32 size),
		    TP_ARGS(offset, size),
		    TP_STRUCT__entry(__field(u32, offset)
				     __field(u32, size)),
		    TP_fast_assign(__entry->offset = offset;
				   __entry->size = size;),
		    TP_printk("offset=%u size=%u", __entry->offset,
			      __entry->size)
);

/* A block was split: offset and size of the remainder left free. */
DEFINE_EVENT_FN(myheap_block, myheap_split,
		TP_PROTO(u32 offset, u32 size),
		TP_ARGS(offset, size),
		myheap_observe_reg, myheap_observe_unreg
);

/* Free blocks merged: offset and size of the merged block. */
DEFINE_EVENT_FN(myheap_block, myheap_coalesce,
		TP_PROTO(u32 offset, u32 size),
		TP_ARGS(offset, size),
		myheap_observe_reg, myheap_observe_unreg
);

/* Pools: a slot handed out: its payload offset (no header) and size. */
DEFINE_EVENT_FN(myheap_block, myheap_slot_alloc,
		TP_PROTO(u32 offset, u32 size),
		TP_ARGS(offset, size),
		myheap_observe_reg, myheap_observe_unreg
);

/* Pools: a slot freed: its payload offset and size. */
DEFINE_EVENT_FN(myheap_block, myheap_slot_free,
		TP_PROTO(u32 offset, u32 size),
		TP_ARGS(offset, size),
		myheap_observe_reg, myheap_observe_unreg
);

/* The core refused an operation on damaged metadata found at offset. */
TRACE_EVENT_FN(myheap_corruption,
	       TP_PROTO(u32 offset),
	       TP_ARGS(offset),
	       TP_STRUCT__entry(__field(u32, offset)),
	       TP_fast_assign(__entry->offset = offset;),
	       TP_printk("offset=%u", __entry->offset),
	       myheap_observe_reg, myheap_observe_unreg
);

TRACE_EVENT(myheap_policy_change,
	    TP_PROTO(u32 old_policy, u32 new_policy, int result),
	    TP_ARGS(old_policy, new_policy, result),
	    TP_STRUCT__entry(__field(u32, old_policy)
			     __field(u32, new_policy)
			     __field(int, result)),
	    TP_fast_assign(__entry->old_policy = old_policy;
			   __entry->new_policy = new_policy;
			   __entry->result = result;),
	    TP_printk("old=%s new=%s result=%d",
		      __print_symbolic(__entry->old_policy,
				       MYHEAP_TRACE_POLICIES),
		      __print_symbolic(__entry->new_policy,
				       MYHEAP_TRACE_POLICIES),
		      __entry->result)
);

#endif /* _MYHEAP_TRACE_H */

/* This part must be outside the multi-read protection. */
#undef TRACE_INCLUDE_PATH
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_PATH .
#define TRACE_INCLUDE_FILE myheap_trace
#include <trace/define_trace.h>
