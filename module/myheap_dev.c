// SPDX-License-Identifier: GPL-2.0
/*
 * File operations of /dev/myheap: open, release, mmap.
 *
 * Every open file is a block owner (struct myheap_file); open fails with
 * -ENFILE when MYHEAP_MAX_OWNERS files are open already. The file holds a
 * reference on the module (fops.owner), and so does every mapping of it
 * (a VMA holds its file), so the module cannot be unloaded, and the region
 * cannot be freed, while anyone can still reach it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "myheap.h"

static int myheap_open(struct inode *inode, struct file *file)
{
	/* misc_open() left our struct miscdevice in private_data. */
	struct myheap_dev *dev = container_of(file->private_data,
					      struct myheap_dev, misc);
	struct myheap_file *mf;
	int ret;

	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	mf->pid = task_tgid_nr(current);
	get_task_comm(mf->comm, current);

	ret = myheap_lock(dev);
	if (ret)
		goto free_mf;
	ret = myheap_file_add(dev, mf);
	myheap_unlock(dev);
	if (ret)
		goto free_mf;

	file->private_data = mf;
	return 0;	/* seekable: pread()/pwrite() at payload offsets */

free_mf:
	kfree(mf);
	return ret;
}

static int myheap_release(struct inode *inode, struct file *file)
{
	struct myheap_file *mf = file->private_data;
	struct myheap_dev *dev = mf->dev;
	u64 blocks, bytes;

	myheap_lock_always(dev);
	myheap_file_remove(dev, mf, &blocks, &bytes);
	myheap_unlock(dev);

	/* Any opener can trigger it, as often as it likes. */
	if (blocks)
		pr_info_ratelimited("owner %llu (pid %d, %s) closed with %llu blocks, %llu bytes still allocated: freed\n",
				    mf->id, mf->pid, mf->comm, blocks, bytes);
	kfree(mf);
	return 0;
}

/*
 * mmap: the region from offset 0, MAP_SHARED, never executable. A private
 * mapping would be a copy-on-write snapshot that the heap knows nothing
 * about, so it is refused rather than silently useless.
 */
static int myheap_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct myheap_file *mf = file->private_data;
	struct myheap_dev *dev = mf->dev;
	unsigned long len = vma->vm_end - vma->vm_start;

	if (myheap_private_mode())
		return -ENODEV;
	if (vma->vm_pgoff || len > dev->mmap_size)
		return -EINVAL;
	/* VM_MAYSHARE: a read-only file's shared mapping lacks VM_SHARED. */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	/* Never executable: mprotect(PROT_EXEC) then fails with -EACCES. */
#ifdef MYHEAP_HAVE_VM_FLAGS_CLEAR
	vm_flags_clear(vma, VM_MAYEXEC);
#else
	vma->vm_flags &= ~VM_MAYEXEC;
#endif
	/* Sets VM_DONTEXPAND, so mremap() cannot grow it past the region. */
	return remap_vmalloc_range(vma, dev->region, 0);
}

/* The file operations of /dev/myheap. */
const struct file_operations myheap_fops = {
	.owner = THIS_MODULE,
	.open = myheap_open,
	.release = myheap_release,
	.mmap = myheap_mmap,
	.read = myheap_read,
	.write = myheap_write,
	.llseek = myheap_llseek,
	.unlocked_ioctl = myheap_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};
