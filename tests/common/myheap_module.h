/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Unloading and loading myheap.ko from a test (tests/selftests,
 * userspace/tests; as root in the VM):
 * delete_module() and finit_module() directly, so a test sees the exact
 * errno the kernel gives (rmmod(8) only prints it), and the parameters
 * the module was loaded with, so a test that reloads it can put it back.
 */
#ifndef MYHEAP_MODULE_H
#define MYHEAP_MODULE_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Where tests/vm/run puts the module in the guest; $MYHEAP_KO overrides. */
#define MOD_KO_DEFAULT	"/myheap/modules/myheap.ko"
#define MOD_PARAMS	"/sys/module/myheap/parameters"

static inline const char *mod_ko_path(void)
{
	const char *ko = getenv("MYHEAP_KO");

	return ko && *ko ? ko : MOD_KO_DEFAULT;
}

static inline bool mod_loaded(void)
{
	return access("/sys/module/myheap", F_OK) == 0;
}

/* delete_module(): 0 or -errno (-EWOULDBLOCK while something holds it). */
static inline int mod_unload(void)
{
	return syscall(SYS_delete_module, "myheap", O_NONBLOCK) ? -errno : 0;
}

/* finit_module() with @params ("mmap=0 policy=first" ...): 0 or -errno. */
static inline int mod_load(const char *params)
{
	int fd = open(mod_ko_path(), O_RDONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (syscall(SYS_finit_module, fd, params, 0))
		ret = -errno;
	close(fd);
	return ret;
}

/* The value of parameter @name, newline stripped; 0 or -errno. */
static inline int mod_param(const char *name, char *buf, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), MOD_PARAMS "/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/*
 * The parameters the loaded module runs with, as an insmod argument
 * string ("region_size=4194304 policy=segregated poison=N mmap=Y"), so a
 * test can load it again as it found it. 0 or -errno.
 */
static inline int mod_params(char *buf, size_t len)
{
	static const char *const names[] = {
		"region_size", "policy", "poison", "mmap",
	};
	size_t used = 0, i;
	char val[64];
	int ret;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ret = mod_param(names[i], val, sizeof(val));
		if (ret)
			return ret;
		used += snprintf(buf + used, used < len ? len - used : 0,
				 "%s%s=%s", used ? " " : "", names[i], val);
	}
	return used < len ? 0 : -ENAMETOOLONG;
}

/*
 * Unload the module (if loaded) and load it with @params: 0 or -errno.
 * A file still being released (a killed test's, its many blocks freed
 * one by one) holds the module a while: unloading is retried for a minute.
 */
static inline int mod_reload(const char *params)
{
	int ret, tries;

	if (mod_loaded()) {
		for (tries = 0; tries < 120; tries++) {
			ret = mod_unload();
			if (ret != -EWOULDBLOCK && ret != -EBUSY)
				break;
			usleep(500 * 1000);
		}
		if (ret)
			return ret;
	}
	return mod_load(params);
}

static char mod_saved_params[256];
static bool mod_reloaded;

/* Put the module back as mod_private_mode() found it (an atexit hook). */
static inline void mod_restore(void)
{
	int ret;

	if (!mod_reloaded)
		return;
	ret = mod_reload(mod_saved_params);
	if (ret)
		fprintf(stderr, "# cannot reload myheap.ko with %s: %s\n",
			mod_saved_params, strerror(-ret));
}

/*
 * For a test binary of private mode: unless the module already runs with
 * mmap=0, reload it so, with its other parameters as they are, and put it
 * back at exit. A failure is printed; the tests then see the module as it
 * is (and their own checks say what is wrong).
 */
static inline void mod_private_mode(void)
{
	char params[sizeof(mod_saved_params) + 16], mode[8] = "";
	int ret;

	if (mod_param("mmap", mode, sizeof(mode)) || !strcmp(mode, "N") ||
	    mod_params(mod_saved_params, sizeof(mod_saved_params)))
		return;
	snprintf(params, sizeof(params), "%s mmap=0", mod_saved_params);
	ret = mod_reload(params);
	if (ret)
		fprintf(stderr, "# cannot reload myheap.ko with %s: %s\n",
			params, strerror(-ret));
	else
		mod_reloaded = true;
	if (ret && !mod_loaded())
		mod_load(mod_saved_params);
	atexit(mod_restore);
}

#endif /* MYHEAP_MODULE_H */
