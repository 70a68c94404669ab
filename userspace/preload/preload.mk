# SPDX-License-Identifier: GPL-2.0
#
# userspace/preload/preload.mk - included by userspace/Makefile: the
# LD_PRELOAD libraries of `myheap run` and `myheap record`.
#
#   libmyheap-preload.so  the malloc family served from /dev/myheap
#                         (libmyheap's PIC objects linked in, only the
#                         malloc symbols exported)
#   libmyheap-record.so   the malloc family of the system allocator, logged
#
# Built into build/userspace/lib/, where the CLI in build/userspace/bin/
# finds them (../lib beside it); installed into $(PRELOADDIR).

PRELOADDIR ?= $(LIBDIR)/myheap
PRELOAD_SO := $(BUILD)/lib/libmyheap-preload.so
RECORD_SO := $(BUILD)/lib/libmyheap-record.so
PRELOAD_OBJS := $(patsubst $(HERE)/preload/%.c,$(BUILD)/preload/%.o,\
	$(wildcard $(HERE)/preload/preload_*.c) $(HERE)/preload/bootstrap.c)
RECORD_OBJS := $(BUILD)/preload/record.o $(BUILD)/preload/bootstrap.o
# Only what the map names leaves the libraries.
PRELOAD_LDFLAGS := -shared -Wl,-z,defs -Wl,--version-script=$(HERE)/preload/exports.map

$(BUILD)/preload/%.o: $(HERE)/preload/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)
	$(Q)$(CC) $(BASE_CFLAGS) $(CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

$(PRELOAD_SO): $(PRELOAD_OBJS) $(LIB_OBJS) $(HERE)/preload/exports.map
	$(call say,LD,$@)
	$(Q)$(CC) $(PRELOAD_LDFLAGS) -o $@ $(PRELOAD_OBJS) $(LIB_OBJS) -ldl -lpthread

$(RECORD_SO): $(RECORD_OBJS) $(HERE)/preload/exports.map
	$(call say,LD,$@)
	$(Q)$(CC) $(PRELOAD_LDFLAGS) -o $@ $(RECORD_OBJS) -ldl -lpthread

# The CLI looks in the install dir last (after ../lib and its own dir).
$(BUILD)/tools/cmd_run.o $(BUILD)/tools/cmd_record.o: $(BUILD)/paths.stamp
$(BUILD)/tools/cmd_run.o $(BUILD)/tools/cmd_record.o: \
	BASE_CFLAGS += -DMYHEAP_PRELOAD_DIR='"$(PRELOADDIR)"'

preload: $(PRELOAD_SO) $(RECORD_SO)

preload-install: preload
	install -d $(DESTDIR)$(PRELOADDIR)
	install -m 0755 $(PRELOAD_SO) $(RECORD_SO) $(DESTDIR)$(PRELOADDIR)/

.PHONY: preload preload-install
-include $(PRELOAD_OBJS:.o=.d) $(RECORD_OBJS:.o=.d)

# Hooked into userspace/Makefile's own targets from here, so that file
# needs one line (the include) for all of this.
all: preload
install: preload-install
vm: preload-vm
preload-vm: preload
	@mkdir -p $(VMBIN)
	@install -m 0755 $(PRELOAD_SO) $(RECORD_SO) $(VMBIN)/
.PHONY: preload-vm

# The reverse of `install` (this file's and userspace/Makefile's).
uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/libmyheap.so.$(VERSION) \
		$(DESTDIR)$(LIBDIR)/libmyheap.so.$(SONAME_MAJOR) \
		$(DESTDIR)$(LIBDIR)/libmyheap.so $(DESTDIR)$(LIBDIR)/libmyheap.a \
		$(DESTDIR)$(LIBDIR)/pkgconfig/myheap.pc \
		$(DESTDIR)$(INCLUDEDIR)/myheap.h $(DESTDIR)$(INCLUDEDIR)/linux/myheap.h \
		$(DESTDIR)$(BINDIR)/myheap $(DESTDIR)$(MANDIR)/man1/myheap.1 \
		$(DESTDIR)$(MANDIR)/man3/libmyheap.3 \
		$(DESTDIR)$(PRELOADDIR)/libmyheap-preload.so \
		$(DESTDIR)$(PRELOADDIR)/libmyheap-record.so
	rm -rf $(DESTDIR)$(TRACEDIR)
	-rmdir $(DESTDIR)$(PRELOADDIR) $(dir $(DESTDIR)$(TRACEDIR)) 2>/dev/null
.PHONY: uninstall
