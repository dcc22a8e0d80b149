# libdom0c - one plain Makefile.  `make help` lists the targets.

VERSION    := 0.2.0
SONAME     := libdom0c.so.0
PREFIX     ?= /usr/local
DESTDIR    ?=
LIBDIR     ?= $(PREFIX)/lib
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share/dom0c
SYSCONFDIR ?= /etc
# The libvirt shim and save-helper wrapper (libvirt/README.md).
SHIMDIR    ?= $(LIBDIR)/dom0c
UNITDIR    ?= $(SYSCONFDIR)/systemd/system
XEN_SAVE_HELPER ?= /usr/lib/xen-4.17/bin/libxl-save-helper

B          ?= build
CC         ?= gcc
PKGS       := xenlight xlutil xentoollog xenstore yajl numa
PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
WARN       := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes \
              -Wstrict-prototypes -Wno-unused-parameter
OPT        ?= -O2 -g
SAN        ?=
CFLAGS_ALL  = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SAN) -fPIC \
              -Iinclude -Ilibdom0c $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL:= $(SAN) $(LDFLAGS)

ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-7s %s\n'
endif

LIB_SRCS   := $(sort $(wildcard libdom0c/*.c))
LIB_OBJS   := $(LIB_SRCS:%.c=$(B)/%.o)
CLI_SRCS   := $(sort $(wildcard tools/dom0c/*.c))
CLI_OBJS   := $(CLI_SRCS:%.c=$(B)/%.o)
DAEMON_OBJS:= $(patsubst %.c,$(B)/%.o,$(sort $(wildcard tools/dom0cd/*.c)))
TEST_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
TEST_BINS  := $(TEST_SRCS:tests/unit/%.c=$(B)/tests/%)
TEST_SUPP  := $(filter-out $(TEST_SRCS),$(wildcard tests/unit/*.c))
BENCH_BIN  := $(B)/bench/bench_policy
# libvirt/: the LD_PRELOAD shim, the save-helper wrapper, and the pure
# parts of both that the unit tests link.
HELPER_SRCS:= libvirt/save_helper.c libvirt/helper_args.c libvirt/logger.c
SHIM_SRCS  := $(filter-out libvirt/save_helper.c libvirt/helper_args.c, \
              $(sort $(wildcard libvirt/*.c)))
SHIM_PURE  := $(addprefix $(B)/libvirt/,xsdata.o request.o apply.o \
              affinity.o atfork.o env.o helper_args.o)
SHIM       := $(B)/libdom0c-libxl-shim.so
SAVEHELPER := $(B)/dom0c-save-helper
SHIM_GEN   := $(B)/libvirt/dom0c.conf $(B)/libvirt/hooks/libxl
PRELOAD    := $(B)/preload/prog
SHLIB      := $(B)/$(SONAME).$(word 2,$(subst ., ,$(VERSION)))
EXAMPLE    := $(B)/mini-toolstack
ALL        := $(B)/libdom0c.a $(SHLIB) $(B)/dom0c $(B)/dom0cd $(B)/libdom0c.pc \
              $(EXAMPLE) $(SHIM) $(SAVEHELPER) $(SHIM_GEN)

.PHONY: all deps install check unit golden regen-golden bench e2e demo \
        clean help asan xl bench-lab bench-publish preload
all: $(ALL)

help:
	@echo "make            build libdom0c.so/.a, dom0c, libdom0c.pc"
	@echo "make deps       apt-get install every package the build and tests need"
	@echo "make check      unit tests, the shim's preload test, golden plans, then"
	@echo "                the unit tests under ASan+UBSan"
	@echo "make e2e        the real-Xen lab scenarios (SCENARIOS=dir ONLY=name)"
	@echo "make demo       boot the lab and show what libdom0c does"
	@echo "make bench      policy micro-benchmark (prints figures)"
	@echo "make bench-lab  the thesis's benchmarks on the real-Xen lab, native vs libdom0c"
	@echo "make bench-publish  its last figures into docs/bench/ and the README"
	@echo "make xl         the patched xl (Debian's Xen 4.17 source + xl-patches/)"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR=$(DESTDIR) (xl as sbin/xl-dom0c)"

$(B)/%.o: %.c $(wildcard include/*.h libdom0c/*.h tools/dom0c/*.h \
              tests/unit/*.h libvirt/*.h)
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/libdom0c.a: $(LIB_OBJS)
	$(say) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(SHLIB): $(LIB_OBJS) libdom0c/libdom0c.map
	$(say) LD $@
	$(Q)$(CC) -shared -Wl,-soname,$(SONAME) \
	    -Wl,--version-script=libdom0c/libdom0c.map -Wl,--no-undefined \
	    -o $@ $(LIB_OBJS) $(LDFLAGS_ALL) $(PKG_LIBS)
	$(Q)ln -sf $(notdir $@) $(B)/$(SONAME)
	$(Q)ln -sf $(SONAME) $(B)/libdom0c.so

$(B)/dom0c: $(CLI_OBJS) $(B)/libdom0c.a
	$(say) LD $@
	$(Q)$(CC) -o $@ $(CLI_OBJS) $(B)/libdom0c.a $(LDFLAGS_ALL) $(PKG_LIBS)

$(B)/dom0cd: $(DAEMON_OBJS) $(B)/libdom0c.a
	$(say) LD $@
	$(Q)$(CC) -o $@ $(DAEMON_OBJS) $(B)/libdom0c.a $(LDFLAGS_ALL) $(PKG_LIBS)

# The example links the shared library and sees only the public header.
$(EXAMPLE): examples/mini-toolstack.c include/dom0c.h $(SHLIB)
	$(say) LD $@
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude $(PKG_CFLAGS) \
	    -o $@ $< -L$(B) -ldom0c $(LDFLAGS_ALL) $(PKG_LIBS)

# The shim sees only the public header, like any toolstack.
SHIM_CFLAGS = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(SAN) -fPIC -Iinclude \
              $(PKG_CFLAGS) -DDOM0C_REAL_SAVE_HELPER='"$(XEN_SAVE_HELPER)"' \
              $(CFLAGS)

$(B)/libvirt/%.o: libvirt/%.c libvirt/shim.h include/dom0c.h Makefile
	@mkdir -p $(dir $@)
	$(say) CC $<
	$(Q)$(CC) $(SHIM_CFLAGS) -c -o $@ $<

# libdom0c linked in and hidden: only the libxl functions are exported.
$(SHIM): $(SHIM_SRCS:%.c=$(B)/%.o) $(B)/libdom0c.a \
         libvirt/libdom0c-libxl-shim.map
	$(say) LD $@
	$(Q)$(CC) -shared -Wl,-soname,$(notdir $@) \
	    -Wl,--version-script=libvirt/libdom0c-libxl-shim.map \
	    -Wl,--no-undefined -o $@ $(SHIM_SRCS:%.c=$(B)/%.o) \
	    $(B)/libdom0c.a $(LDFLAGS_ALL) $(PKG_LIBS) -ldl -pthread

$(SAVEHELPER): $(HELPER_SRCS:%.c=$(B)/%.o) $(B)/libdom0c.a
	$(say) LD $@
	$(Q)$(CC) -o $@ $(HELPER_SRCS:%.c=$(B)/%.o) $(B)/libdom0c.a \
	    $(LDFLAGS_ALL) $(PKG_LIBS)

$(B)/libvirt/dom0c.conf: libvirt/dom0c.conf.in Makefile
	$(say) GEN $@
	$(Q)mkdir -p $(dir $@) && sed -e 's|@SHIMDIR@|$(SHIMDIR)|g' $< > $@

$(B)/libvirt/hooks/libxl: libvirt/hooks/libxl.in Makefile
	$(say) GEN $@
	$(Q)mkdir -p $(dir $@) && sed -e 's|@BINDIR@|$(BINDIR)|g' $< > $@ && \
	    chmod 755 $@

# The preload test: a fake libxenlight with versioned exports, a
# program linked to it, run with the shim preloaded (tests/preload/).
$(B)/preload/libfakexl.so: tests/preload/fakexl.c tests/preload/fakexl.map
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -fPIC -shared \
	    $(PKG_CFLAGS) -Wl,-soname,libfakexl.so \
	    -Wl,--version-script=tests/preload/fakexl.map -o $@ $<

$(PRELOAD): tests/preload/prog.c $(B)/preload/libfakexl.so
	$(say) LD $@
	$(Q)$(CC) -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(PKG_CFLAGS) -o $@ $< \
	    -L$(B)/preload -lfakexl -Wl,-rpath,'$$ORIGIN' -ldl

# dom0c-save-helper with tests/preload/fake-helper as the real helper.
$(B)/preload/save-helper: $(HELPER_SRCS) libvirt/shim.h $(B)/libdom0c.a
	@mkdir -p $(dir $@)
	$(say) LD $@
	$(Q)$(CC) $(SHIM_CFLAGS) \
	    -UDOM0C_REAL_SAVE_HELPER \
	    -DDOM0C_REAL_SAVE_HELPER='"$(CURDIR)/tests/preload/fake-helper"' \
	    -o $@ $(HELPER_SRCS) $(B)/libdom0c.a $(LDFLAGS_ALL) $(PKG_LIBS)

preload: $(PRELOAD) $(SHIM) $(B)/preload/save-helper $(B)/libvirt/hooks/libxl
	$(Q)tests/preload/run.sh $(PRELOAD) $(SHIM) $(B)/preload/save-helper \
	    $(B)/libvirt/hooks/libxl

$(B)/libdom0c.pc: libdom0c.pc.in Makefile
	$(say) GEN $@
	$(Q)mkdir -p $(B) && sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' $< > $@

$(B)/tests/%: tests/unit/%.c $(TEST_SUPP) $(B)/libdom0c.a
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS_ALL) -Itests/unit -Ilibvirt -o $@ $< $(TEST_SUPP) \
	    $(TEST_EXTRA) $(B)/libdom0c.a $(LDFLAGS_ALL) $(PKG_LIBS) -lcmocka

# The shim's pure parts, on their own (no libxenlight underneath).
$(B)/tests/test_shim: $(SHIM_PURE)
$(B)/tests/test_shim: TEST_EXTRA = $(SHIM_PURE) -pthread

$(BENCH_BIN): tests/bench/bench_policy.c $(B)/libdom0c.a
	@mkdir -p $(dir $@)
	$(say) CC $@
	$(Q)$(CC) $(CFLAGS_ALL) -o $@ $< $(B)/libdom0c.a $(LDFLAGS_ALL) $(PKG_LIBS)

unit: $(TEST_BINS)
	@fail=0; for t in $(TEST_BINS); do \
	    DOM0C_TOP=$(CURDIR) $$t || fail=1; done; exit $$fail

golden: $(B)/dom0c
	$(Q)tests/golden.sh $(B)/dom0c

regen-golden: $(B)/dom0c
	$(Q)tests/golden.sh --regen $(B)/dom0c

asan:
	$(Q)$(MAKE) --no-print-directory B=$(B)/asan OPT="-O1 -g" \
	    SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	    unit

check:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	@echo "== unit tests"
	$(Q)$(MAKE) --no-print-directory unit
	@echo "== the libvirt shim, preloaded"
	$(Q)$(MAKE) --no-print-directory preload
	@echo "== golden plans"
	$(Q)$(MAKE) --no-print-directory golden
	@echo "== unit tests under ASan+UBSan"
	$(Q)$(MAKE) --no-print-directory asan

bench: $(BENCH_BIN)
	$(Q)$(BENCH_BIN) tests/fixtures/host-8node-448.json

deps:
	$(Q)tools/install-deps.sh

xl: all
	$(Q)xl-patches/build-xl.sh

e2e: all xl
	tests/e2e/run.sh $(if $(SCENARIOS),--scenarios $(SCENARIOS)) $(if $(ONLY),--only $(ONLY))

# The lab benchmarks (not a test; ~13 minutes): docs/bench/README.md.
bench-lab: all xl
	tests/e2e/bench/run-bench.sh

# Its last figures into docs/bench/ and README.md's Results section.
bench-publish:
	tests/e2e/bench/publish.sh

demo:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all xl
	tests/e2e/run.sh --demo

install: all
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/topologies
	install -m 644 $(B)/libdom0c.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(SHLIB) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(SHLIB)) $(DESTDIR)$(LIBDIR)/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(LIBDIR)/libdom0c.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    libdom0c.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/libdom0c.pc
	install -m 644 include/dom0c.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 755 $(B)/dom0c $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 755 $(B)/dom0cd $(DESTDIR)$(SBINDIR)/
	install -m 644 tools/dom0cd/dom0cd.service \
	    $(DESTDIR)$(PREFIX)/lib/systemd/system/
	install -d $(DESTDIR)$(LIBDIR)/dom0c
	install -m 755 $(EXAMPLE) $(DESTDIR)$(LIBDIR)/dom0c/
	install -m 644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 644 tests/fixtures/*.json $(DESTDIR)$(DATADIR)/topologies/
	# libvirt: the shim and the wrapper, the drop-in for both daemons, the
	# hook (not enabled: libvirt/README.md).
	install -d $(DESTDIR)$(SHIMDIR) $(DESTDIR)$(DATADIR)/libvirt/hooks \
	    $(DESTDIR)$(UNITDIR)/libvirtd.service.d \
	    $(DESTDIR)$(UNITDIR)/virtxend.service.d
	install -m 755 $(SHIM) $(SAVEHELPER) $(DESTDIR)$(SHIMDIR)/
	for d in libvirtd virtxend; do \
	    sed -e 's|@SHIMDIR@|$(SHIMDIR)|g' libvirt/dom0c.conf.in \
	        > $(DESTDIR)$(UNITDIR)/$$d.service.d/dom0c.conf || exit 1; \
	done
	sed -e 's|@BINDIR@|$(BINDIR)|g' libvirt/hooks/libxl.in \
	    > $(DESTDIR)$(DATADIR)/libvirt/hooks/libxl
	chmod 755 $(DESTDIR)$(DATADIR)/libvirt/hooks/libxl
	# The patched xl, when built (make xl), beside Debian's, never over it.
	if [ -x $(B)/xl/xl ]; then install -d $(DESTDIR)$(SBINDIR) && \
	    install -m 755 $(B)/xl/xl $(DESTDIR)$(SBINDIR)/xl-dom0c; fi

clean:
	rm -rf $(B)/obj $(B)/libdom0c* $(B)/dom0c $(B)/tests $(B)/bench $(B)/asan \
	    $(B)/libdom0c $(B)/tools $(B)/xl/tree $(B)/xl/xl $(B)/libvirt \
	    $(B)/preload $(SAVEHELPER)
