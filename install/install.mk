# SPDX-License-Identifier: GPL-2.0
#
# install/install.mk - what `make install` adds to userspace's install
# (included by the top-level Makefile):
#
#   install-system    myheap.ko into /lib/modules/$(KRELEASE)/updates
#                     (kbuild modules_install, then depmod; skipped with a
#                     message without kernel headers at $(KDIR)), the udev
#                     rule (/dev/myheap root:myheap 0660), the DKMS source
#                     tree, and on the real root (no DESTDIR) the system
#                     group "myheap" and ldconfig
#   install-dkms      /usr/src/myheap-$(MODVERSION)/ (Kbuild, module/,
#                     dkms.conf) for `dkms add/build/install`
#   uninstall-system  the reverse (the group stays: it may own files)
#
# Variables: DESTDIR, KRELEASE (default: the running kernel), KDIR (its
# build dir), UDEVDIR, SRCDIR.

KRELEASE ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KRELEASE)/build
UDEVDIR ?= /usr/lib/udev/rules.d
SRCDIR ?= /usr/src
MODVERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC := $(DESTDIR)$(SRCDIR)/myheap-$(MODVERSION)

.PHONY: install-system install-dkms uninstall-system

install-system: install-dkms
	install/install-module "$(KDIR)" "$(KRELEASE)" "$(DESTDIR)"
	install -D -m 0644 install/60-myheap.rules $(DESTDIR)$(UDEVDIR)/60-myheap.rules
ifeq ($(DESTDIR),)
	getent group myheap >/dev/null || groupadd --system myheap
	ldconfig
	@echo "install: add users to group myheap (adduser USER myheap) for /dev/myheap"
endif

install-dkms:
	rm -rf $(DKMS_SRC)
	install -d $(DKMS_SRC)
	cp -R Kbuild dkms.conf module $(DKMS_SRC)/

uninstall-system:
	install/install-module --uninstall "$(KRELEASE)" "$(DESTDIR)"
	rm -f $(DESTDIR)$(UDEVDIR)/60-myheap.rules
	rm -rf $(DKMS_SRC)
ifeq ($(DESTDIR),)
	ldconfig
endif
