// SPDX-License-Identifier: GPL-2.0
/*
 * myheap permission selftests: the device node is root's alone (0600), an
 * unprivileged user (uid 1000) cannot open it, and even with access granted
 * cannot change the policy (CAP_SYS_ADMIN), nor can root without that
 * capability. Runs as root; the checks happen in children that drop
 * privileges.
 */
#include <grp.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "dev_util.h"
#include "pattern.h"

#define TEST_UID	1000
#define TEST_GID	1000

static int drop_to_user(void)
{
	if (setgroups(0, NULL) || setresgid(TEST_GID, TEST_GID, TEST_GID) ||
	    setresuid(TEST_UID, TEST_UID, TEST_UID))
		return -1;
	return 0;
}

/* Clear one capability from the effective set of this thread. */
static int drop_effective_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data);
}

/* Run @fn in a child; its exit status (0: all good, else the failing step). */
static int in_child(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn());
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST(device_node)
{
	struct stat st;

	ASSERT_EQ(0, stat(MYHEAP_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);
}

static int user_open(void)
{
	if (drop_to_user())
		return 1;
	if (open(MYHEAP_DEVICE, O_RDWR) >= 0 || errno != EACCES)
		return 2;
	if (open(MYHEAP_DEVICE, O_RDONLY) >= 0 || errno != EACCES)
		return 3;
	return 0;
}

TEST(user_cannot_open)
{
	EXPECT_EQ(0, in_child(user_open));
}

static int user_with_access(void)
{
	struct myheap_info info;
	unsigned char *p;
	uint64_t off;
	int fd;

	if (drop_to_user())
		return 1;
	fd = open(MYHEAP_DEVICE, O_RDWR);
	if (fd < 0)
		return 2;
	if (dev_info(fd, &info))
		return 3;
	if (dev_set_policy(fd, info.policy) != -EPERM)
		return 4;
	/* The capability check comes before the argument's validation. */
	if (dev_set_policy(fd, 1000) != -EPERM)
		return 5;
	if (dev_alloc(fd, 100, 0, 0, &off))
		return 6;
	p = mmap(NULL, info.mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	if (p == MAP_FAILED)
		return 7;
	pattern_fill(p + off, 0, 100, 9);
	if (!pattern_intact(p + off, 100, 9) || dev_free(fd, off))
		return 8;
	return 0;
}

FIXTURE(granted) {
	mode_t mode;
};

FIXTURE_SETUP(granted)
{
	struct stat st;

	ASSERT_EQ(0, stat(MYHEAP_DEVICE, &st));
	self->mode = st.st_mode & 07777;
	ASSERT_EQ(0, chmod(MYHEAP_DEVICE, 0666));
}

FIXTURE_TEARDOWN(granted)
{
	EXPECT_EQ(0, chmod(MYHEAP_DEVICE, self->mode));
}

TEST_F(granted, user_cannot_set_policy)
{
	EXPECT_EQ(0, in_child(user_with_access));
}

static int root_without_sys_admin(void)
{
	struct myheap_info info;
	int fd = open(MYHEAP_DEVICE, O_RDWR);

	if (fd < 0 || dev_info(fd, &info))
		return 1;
	if (dev_set_policy(fd, info.policy))
		return 2;	/* allowed while the capability is there */
	if (drop_effective_cap(CAP_SYS_ADMIN))
		return 3;
	if (dev_set_policy(fd, info.policy) != -EPERM)
		return 4;
	/* the statistics' counters are every opener's too */
	if (dev_ioctl(fd, MYHEAP_IOC_STATS_RESET, &(struct myheap_stats_reset){ 0 }) != -EPERM)
		return 5;
	return 0;
}

TEST(root_needs_cap_sys_admin)
{
	EXPECT_EQ(0, in_child(root_without_sys_admin));
}

TEST_HARNESS_MAIN
