// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/pagerange: a misc device in front of the shrinkable page range.
 *
 * Each open creates a range bound to the opener's mm; the opener maps it
 * once, read-only; any process holding the fd drives it with ioctls. This
 * file decodes the UAPI and maps it onto the core's calls, and sets how
 * large a mapping may be; pagerange_core.c holds the pages and every rule
 * about them, the vma's included.
 */

#include <linux/bitmap.h>
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/err.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/moduleparam.h>
#include <linux/sched.h>
#include <linux/sysfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stringify.h>
#include <linux/uaccess.h>

#include <linux/pagerange.h>

#include "pagerange_core.h"

#define PAGERANGE_VERSION	"0.1.0"

static unsigned long pagerange_max_size = SZ_4M;

/* A page multiple, from one page up to what one range's slot array allows. */
static int pagerange_max_size_set(const char *val,
				  const struct kernel_param *kp)
{
	unsigned long size;
	int ret;

	ret = kstrtoul(val, 0, &size);
	if (ret)
		return ret;
	if (!size || !PAGE_ALIGNED(size) ||
	    size > PAGERANGE_MAX_PAGES << PAGE_SHIFT)
		return -EINVAL;
	WRITE_ONCE(pagerange_max_size, size);
	return 0;
}

static const struct kernel_param_ops pagerange_max_size_ops = {
	.set = pagerange_max_size_set,
	.get = param_get_ulong,
};

module_param_cb(max_size, &pagerange_max_size_ops, &pagerange_max_size, 0644);
MODULE_PARM_DESC(max_size,
		 "Largest mapping in bytes, a page multiple up to 256 MiB (default 4 MiB)");

static struct dentry *pagerange_debugfs_dir;

/*
 * The core applies the vma policy its invariant rests on, and checks the
 * vma against it; the glue only sets how large a mapping may be.
 */
static int pagerange_mmap(struct file *file, struct vm_area_struct *vma)
{
	return pagerange_attach(file->private_data, vma,
				READ_ONCE(pagerange_max_size) >> PAGE_SHIFT);
}

/* USE_RANGE without a report. */
static int pagerange_use_span(struct pagerange *range, u64 first, u64 last,
			      u64 flags, u64 *result)
{
	return pagerange_use(range, first, last, result, NULL);
}

/* STOP_USING_RANGE, purging with PAGERANGE_STOP_PURGE. */
static int pagerange_stop_span(struct pagerange *range, u64 first, u64 last,
			       u64 flags, u64 *result)
{
	if (flags & PAGERANGE_STOP_PURGE)
		return pagerange_purge(range, first, last, result);
	return pagerange_stop_using(range, first, last, result);
}

/* USE_RANGE and STOP_USING_RANGE: one layout, one decoding. */
static long pagerange_ioctl_span(struct pagerange *range,
				 struct pagerange_range __user *uarg,
				 u64 allowed_flags,
				 int (*op)(struct pagerange *range, u64 first,
					   u64 last, u64 flags, u64 *result))
{
	struct pagerange_range r;
	u64 result;
	int ret;

	/*
	 * Probe that result can be written back before changing anything, so
	 * that a read-only argument fails with EFAULT and no side effect.
	 */
	if (copy_from_user(&r, uarg, sizeof(r)) ||
	    put_user(0, &uarg->result))
		return -EFAULT;
	if (r.flags & ~allowed_flags)
		return -EINVAL;

	ret = op(range, r.start, r.end, r.flags, &result);
	if (ret)
		return ret;
	return put_user(result, &uarg->result);
}

/*
 * USE_RANGE_REPORT. The bitmap is cleared first, which probes it: a bad one
 * fails with EFAULT before anything changed. A span longer than any range
 * gets no bitmap: the core refuses it, with the error of its place in the
 * order.
 */
static long pagerange_ioctl_use_report(struct pagerange *range,
				       struct pagerange_use_report __user *uarg)
{
	struct pagerange_use_report r;
	unsigned long *fresh = NULL;
	u64 n, words, result, *arr = NULL;
	void __user *ubitmap;
	int ret;

	if (copy_from_user(&r, uarg, sizeof(r)) ||
	    put_user(0, &uarg->result))
		return -EFAULT;
	if (r.flags & ~(u64)PAGERANGE_USE_REPORT_FLAGS ||
	    r.reserved[0] || r.reserved[1] || r.start > r.end)
		return -EINVAL;
	n = r.end - r.start;
	words = n / 64 + !!(n % 64);	/* n + 63 may overflow */
	if (r.bitmap_size < words * sizeof(u64))
		return -EINVAL;
	ubitmap = u64_to_user_ptr(r.bitmap);
	/* Whatever can fail but the use itself fails before it. */
	if (n <= PAGERANGE_MAX_PAGES) {
		if (clear_user(ubitmap, words * sizeof(u64)))
			return -EFAULT;
		fresh = bitmap_zalloc(n, GFP_KERNEL);
		arr = kvmalloc_array(words, sizeof(*arr), GFP_KERNEL);
		ret = -ENOMEM;
		if (!fresh || !arr)
			goto out;
	}

	ret = pagerange_use(range, r.start, r.end, &result, fresh);
	if (ret)
		goto out;
	bitmap_to_arr64(arr, fresh, n);
	ret = copy_to_user(ubitmap, arr, words * sizeof(*arr)) ||
	      put_user(result, &uarg->result) ? -EFAULT : 0;
out:
	kvfree(arr);
	bitmap_free(fresh);
	return ret;
}

/*
 * QUERY: one byte a page, taken at one instant. It changes nothing, so the
 * vector is written last: a bad one fails with EFAULT after the span's own
 * errors.
 */
static long pagerange_ioctl_query(struct pagerange *range,
				  struct pagerange_query __user *uarg)
{
	struct pagerange_query q;
	u8 *states = NULL;
	void __user *uvec;
	u64 n;
	int ret;

	if (copy_from_user(&q, uarg, sizeof(q)))
		return -EFAULT;
	if (q.flags & ~(u64)PAGERANGE_QUERY_FLAGS ||
	    q.reserved[0] || q.reserved[1] || q.start > q.end)
		return -EINVAL;
	n = q.end - q.start;
	uvec = u64_to_user_ptr(q.vec);
	if (n <= PAGERANGE_MAX_PAGES) {
		states = kvmalloc(n ?: 1, GFP_KERNEL);
		if (!states)
			return -ENOMEM;
	}

	ret = pagerange_query(range, q.start, q.end, states);
	if (!ret && copy_to_user(uvec, states, n))
		ret = -EFAULT;
	kvfree(states);
	return ret;
}

/*
 * PURGED: never fails but on its argument, which is written back once
 * before the acknowledgment, so that a bad one loses none.
 */
static long pagerange_ioctl_purged(struct pagerange *range,
				   struct pagerange_purged __user *uarg)
{
	struct pagerange_purge_report report;
	struct pagerange_purged p;

	if (copy_from_user(&p, uarg, sizeof(p)))
		return -EFAULT;
	if (p.flags & ~(u64)PAGERANGE_PURGED_FLAGS)
		return -EINVAL;
	if (copy_to_user(uarg, &p, sizeof(p)))
		return -EFAULT;

	pagerange_take_purged(range, &report);
	p.pages = report.pages;
	p.events = report.events;
	p.last_ns = report.last_ns;
	return copy_to_user(uarg, &p, sizeof(p)) ? -EFAULT : 0;
}

/*
 * WRITE, READ and ZERO: one layout, one decoding. WRITE with
 * PAGERANGE_WRITE_USE makes the pages its bytes touch in use first.
 */
static long pagerange_ioctl_io(struct pagerange *range,
			       enum pagerange_io_op op,
			       struct pagerange_io __user *uarg)
{
	u64 allowed = op == PAGERANGE_IO_WRITE ? PAGERANGE_WRITE_FLAGS :
						  PAGERANGE_IO_FLAGS;
	struct pagerange_io io;
	u64 end, allocated;
	int ret;

	if (copy_from_user(&io, uarg, sizeof(io)))
		return -EFAULT;
	if (io.flags & ~allowed)
		return -EINVAL;
	if (op == PAGERANGE_IO_ZERO && io.buf)
		return -EINVAL;

	if (io.flags & PAGERANGE_WRITE_USE) {
		if (check_add_overflow(io.offset, io.len, &end))
			return -EINVAL;
		/* The pages the bytes touch; end + PAGE_SIZE - 1 may overflow. */
		ret = pagerange_use(range, io.offset >> PAGE_SHIFT,
				    io.len ? (end >> PAGE_SHIFT) +
					     !!offset_in_page(end) :
					     io.offset >> PAGE_SHIFT,
				    &allocated, NULL);
		if (ret)
			return ret;
	}
	return pagerange_io(range, op, io.offset, io.len,
			    u64_to_user_ptr(io.buf));
}

static long pagerange_ioctl_get_info(struct pagerange *range,
				     struct pagerange_info __user *uarg)
{
	struct pagerange_stats stats;
	struct pagerange_info info;

	pagerange_get_stats(range, &stats);
	memset(&info, 0, sizeof(info));
	info.size_pages = stats.size_pages;
	info.pages_present = stats.pages_present;
	info.pages_in_use = stats.pages_in_use;
	info.pages_reclaimable = stats.pages_reclaimable;
	info.pages_reclaimed = stats.pages_reclaimed;
	info.pages_allocated = stats.pages_allocated;
	info.pages_purged = stats.pages_purged;

	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long pagerange_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	struct pagerange *range = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case PAGERANGE_IOC_USE_RANGE:
		return pagerange_ioctl_span(range, uarg,
					    PAGERANGE_USE_RANGE_FLAGS,
					    pagerange_use_span);
	case PAGERANGE_IOC_STOP_USING_RANGE:
		return pagerange_ioctl_span(range, uarg,
					    PAGERANGE_STOP_USING_RANGE_FLAGS,
					    pagerange_stop_span);
	case PAGERANGE_IOC_WRITE:
		return pagerange_ioctl_io(range, PAGERANGE_IO_WRITE, uarg);
	case PAGERANGE_IOC_READ:
		return pagerange_ioctl_io(range, PAGERANGE_IO_READ, uarg);
	case PAGERANGE_IOC_ZERO:
		return pagerange_ioctl_io(range, PAGERANGE_IO_ZERO, uarg);
	case PAGERANGE_IOC_GET_INFO:
		return pagerange_ioctl_get_info(range, uarg);
	case PAGERANGE_IOC_USE_RANGE_REPORT:
		return pagerange_ioctl_use_report(range, uarg);
	case PAGERANGE_IOC_QUERY:
		return pagerange_ioctl_query(range, uarg);
	case PAGERANGE_IOC_PURGED:
		return pagerange_ioctl_purged(range, uarg);
	default:
		return -ENOTTY;
	}
}

static __poll_t pagerange_file_poll(struct file *file,
				    struct poll_table_struct *wait)
{
	return pagerange_poll(file->private_data, file, wait);
}

static int pagerange_open(struct inode *inode, struct file *file)
{
	struct pagerange *range;

	range = pagerange_create(current->mm, task_tgid_nr(current),
				 NUMA_NO_NODE);
	if (IS_ERR(range))
		return PTR_ERR(range);
	file->private_data = range;
	return nonseekable_open(inode, file);
}

static int pagerange_release(struct inode *inode, struct file *file)
{
	pagerange_destroy(file->private_data);
	return 0;
}

static const struct file_operations pagerange_fops = {
	.owner = THIS_MODULE,
	.open = pagerange_open,
	.release = pagerange_release,
	.mmap = pagerange_mmap,
	.unlocked_ioctl = pagerange_ioctl,
	.poll = pagerange_file_poll,
	.compat_ioctl = compat_ptr_ioctl,
};

/*
 * The global counters, one read-only attribute each, in the misc device's
 * directory, /sys/class/misc/pagerange/: the stable interface to them
 * (Documentation/ABI/testing/sysfs-class-misc-pagerange). debugfs only
 * adds what is for debugging: the per-range table and fault injection.
 */
struct pagerange_counter_attr {
	struct device_attribute attr;
	size_t offset;		/* of the counter in pagerange_global_stats */
};

static ssize_t pagerange_counter_show(struct device *dev,
				      struct device_attribute *attr, char *buf)
{
	const struct pagerange_counter_attr *counter =
		container_of(attr, struct pagerange_counter_attr, attr);
	struct pagerange_global_stats stats;

	pagerange_get_global_stats(&stats);
	return sysfs_emit(buf, "%ld\n",
			  *(long *)((char *)&stats + counter->offset));
}

#define PAGERANGE_COUNTER_ATTR(_name)					\
static struct pagerange_counter_attr pagerange_attr_##_name = {		\
	.attr = {							\
		.attr = { .name = __stringify(_name), .mode = 0444 },	\
		.show = pagerange_counter_show,				\
	},								\
	.offset = offsetof(struct pagerange_global_stats, _name),	\
}

PAGERANGE_COUNTER_ATTR(pages_present);
PAGERANGE_COUNTER_ATTR(pages_reclaimable);
PAGERANGE_COUNTER_ATTR(pages_reclaimed);
PAGERANGE_COUNTER_ATTR(shrinker_scans);
PAGERANGE_COUNTER_ATTR(shrinker_skips);
PAGERANGE_COUNTER_ATTR(ranges);

static struct attribute *pagerange_attrs[] = {
	&pagerange_attr_pages_present.attr.attr,
	&pagerange_attr_pages_reclaimable.attr.attr,
	&pagerange_attr_pages_reclaimed.attr.attr,
	&pagerange_attr_shrinker_scans.attr.attr,
	&pagerange_attr_shrinker_skips.attr.attr,
	&pagerange_attr_ranges.attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(pagerange);

/*
 * Root only by default: every open may pin max_size of memory in use, so
 * access is granted deliberately, with a udev rule, not by default.
 */
static struct miscdevice pagerange_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "pagerange",
	.fops = &pagerange_fops,
	.mode = 0600,
	.groups = pagerange_groups,
};

static int pagerange_ranges_show(struct seq_file *m, void *unused)
{
	pagerange_print_ranges(m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(pagerange_ranges);

static void pagerange_debugfs_init(void)
{
	/* debugfs is best effort: its calls take error pointers. */
	pagerange_debugfs_dir = debugfs_create_dir("pagerange", NULL);
	debugfs_create_file("ranges", 0400, pagerange_debugfs_dir, NULL,
			    &pagerange_ranges_fops);
	pagerange_debugfs_init_faults(pagerange_debugfs_dir);
}

static int __init pagerange_init(void)
{
	int ret;

	ret = pagerange_core_init("pagerange");
	if (ret)
		return ret;
	ret = misc_register(&pagerange_misc);
	if (ret)
		goto err_core_exit;
	pagerange_debugfs_init();
	return 0;

err_core_exit:
	pagerange_core_exit();
	return ret;
}

static void __exit pagerange_exit(void)
{
	debugfs_remove(pagerange_debugfs_dir);
	misc_deregister(&pagerange_misc);
	pagerange_core_exit();
}

module_init(pagerange_init);
module_exit(pagerange_exit);

MODULE_DESCRIPTION("Lazily allocated, shrinker-reclaimed pages of a read-only mapping");
MODULE_AUTHOR("The pagerange authors");
MODULE_LICENSE("GPL");
MODULE_VERSION(PAGERANGE_VERSION);
