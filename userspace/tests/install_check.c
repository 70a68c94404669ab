// SPDX-License-Identifier: GPL-2.0
/*
 * Built by check-host against an installed libmyheap (header, .so or .a,
 * pkg-config flags): proves the installed pieces fit together. On the
 * host there is no device, so opening must fail cleanly with ENOENT.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <myheap.h>

int main(void)
{
	struct myheap *h = NULL;
	int err = myheap_open("/nonexistent/myheap", 0, &h);

	if (err != -ENOENT || h) {
		fprintf(stderr, "myheap_open: %d, want %d\n", err, -ENOENT);
		return 1;
	}
	if (!strstr(myheap_last_error(), "/nonexistent/myheap")) {
		fprintf(stderr, "last error: '%s'\n", myheap_last_error());
		return 1;
	}
	if (myheap_policy_parse("buddy") != MYHEAP_POLICY_BUDDY ||
	    strcmp(myheap_policy_name(MYHEAP_POLICY_FIRST_FIT), "first")) {
		fprintf(stderr, "policy names\n");
		return 1;
	}
	printf("ok: %s\n", myheap_strerror(-EALREADY));
	return 0;
}
