# nodeguard — plain Makefile; `make` builds into build/, `make test` runs every suite.
VERSION     := 0.1.0
PREFIX      ?= /usr/local
DESTDIR     ?=
BINDIR      ?= $(PREFIX)/bin
LIBEXECDIR  ?= $(PREFIX)/libexec
DATADIR     ?= $(PREFIX)/share
# The policy lives in /etc whatever the prefix: one place for operators to look, whether the
# binaries are in /usr (packages) or /usr/local (make install).
SYSCONFDIR  ?= /etc
# podman and CRI-O read hooks from /usr/share/containers/oci/hooks.d (packages) and
# /etc/containers/oci/hooks.d (local): a /usr/local install must use the latter to be seen.
MANDIR      ?= $(DATADIR)/man
TMPFILESDIR ?= $(if $(filter /usr,$(PREFIX)),/usr/lib/tmpfiles.d,$(PREFIX)/lib/tmpfiles.d)
HOOKSDIR    ?= $(if $(filter /usr,$(PREFIX)),$(DATADIR)/containers/oci/hooks.d,/etc/containers/oci/hooks.d)

CC          ?= cc
PKG_CONFIG  ?= pkg-config
BUILD       := build
DEPS        := yajl libseccomp libcap
SANITIZE    ?=

CFLAGS      ?= -O2 -g
CFLAGS      += -std=gnu11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wmissing-prototypes \
               -fno-strict-aliasing -D_FORTIFY_SOURCE=2 -fstack-protector-strong \
               -Wno-format-truncation  # log lines are bounded on purpose; truncation is the intent
CPPFLAGS    += -D_GNU_SOURCE -Iinclude -DNODEGUARD_VERSION='"$(VERSION)"' \
               -DNODEGUARD_SYSCONFDIR='"$(SYSCONFDIR)"' -DNODEGUARD_LIBEXECDIR='"$(LIBEXECDIR)"' $(shell $(PKG_CONFIG) --cflags $(DEPS))
LDFLAGS     += -Wl,-z,relro,-z,now
LDLIBS      += $(shell $(PKG_CONFIG) --libs $(DEPS))
# The hook runs on every container start: linked statically it skips the dynamic loader, which
# measured 0.5 ms of its 1.3 ms here (BENCHMARKS.md); static-pie keeps ASLR. Sanitizer builds
# need dynamic linking.
STATIC_HOOK ?= $(if $(SANITIZE),0,1)
HOOK_LDLIBS := $(if $(filter 1,$(STATIC_HOOK)),-static-pie -l:libyajl_s.a -l:libcap.a,$(LDLIBS))
ifneq ($(SANITIZE),)
CPPFLAGS    += -DNODEGUARD_SANITIZER_BUILD
CFLAGS      += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS     += -fsanitize=$(SANITIZE)
endif

# The library in three layers, each using only those before it (tests/repo/layers.py checks it):
# core (pure: no I/O but the fds it is handed, never prints), host (files, processes, cgroups, the
# kernel, the log), stages (what each hook stage and the runtime wrapper do).
LIB_SRC     := $(wildcard src/core/*.c src/host/*.c src/stages/*.c)
# The seccomp filters, compiled to BPF by libseccomp at build time (src/host/sandbox_rules.h).
GEN_SECCOMP := $(BUILD)/gen/seccomp_filters.c
LIB_OBJ     := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/seccomp_filters.o
CLI_SRC     := $(wildcard src/cli/*.c)
CLI_OBJ     := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC    := $(wildcard tests/unit/test_*.c)
UNIT_BIN    := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
LIBNG       := $(BUILD)/libnodeguard.a
BINS        := $(BUILD)/nodeguard-hook $(BUILD)/nodeguard $(BUILD)/nodeguard-runtime

# Keep the test objects: deleting them as intermediates would print after the test summary.
.SECONDARY:

.PHONY: FORCE all clean test unit-test golden-test integration-test install uninstall format format-check \
        check-deps demo rootfs deb rpm fuzz fuzz-build analyze
all: check-deps $(BINS)

check-deps:
	@$(PKG_CONFIG) --exists $(DEPS) || { echo "missing build dependencies: pkg-config cannot find one of: $(DEPS)" >&2; \
	  echo "on Debian: apt-get install libyajl-dev libseccomp-dev libcap-dev pkg-config" >&2; exit 1; }

# What the compiler bakes into the binaries from make's variables. They may change between `make`
# and `make install PREFIX=/usr` (the README's install): this file is rewritten only when they do,
# and every object depends on it, so the install rebuilds with the paths it installs to (DESTDIR is
# not among them: the binaries name the final paths).
BAKED       := $(BUILD)/baked-in
BAKED_TEXT  := VERSION=$(VERSION) SYSCONFDIR=$(SYSCONFDIR) LIBEXECDIR=$(LIBEXECDIR)
$(BAKED): FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = '$(BAKED_TEXT)' ] || printf '%s\n' '$(BAKED_TEXT)' > $@
FORCE:

$(BUILD)/%.o: %.c $(BAKED)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/gen/seccomp-gen: src/gen/seccomp-gen.c src/host/sandbox_rules.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -Wall -Wextra -Werror $(shell $(PKG_CONFIG) --cflags libseccomp) -o $@ $< \
	    $(shell $(PKG_CONFIG) --libs libseccomp)

$(GEN_SECCOMP): $(BUILD)/gen/seccomp-gen
	$< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/seccomp_filters.o: $(GEN_SECCOMP) $(BAKED)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Made anew each time: `ar r` would keep the members of files that were removed or renamed.
$(LIBNG): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/nodeguard-hook: $(BUILD)/hooks/nodeguard-hook.o $(LIBNG)
	$(CC) $(LDFLAGS) -o $@ $^ $(HOOK_LDLIBS)

# The wrapper runs before every container of the runtimes it fronts: static like the hook.
$(BUILD)/nodeguard-runtime: $(BUILD)/hooks/nodeguard-runtime.o $(LIBNG)
	$(CC) $(LDFLAGS) -o $@ $^ $(HOOK_LDLIBS)

$(BUILD)/nodeguard: $(CLI_OBJ) $(LIBNG)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIBNG)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell $(PKG_CONFIG) --libs cmocka)

$(BUILD)/tests/unit/%.o: CPPFLAGS += $(shell $(PKG_CONFIG) --cflags cmocka)

# The whole suite: unit (cmocka), golden fixtures, and real podman/runc integration.
# tests/run prints every suite's result and a final "N passed, N failed" line.
test: all $(UNIT_BIN)
	@tests/run all

unit-test: all $(UNIT_BIN)
	@tests/run unit

golden-test: all
	@tests/run golden

integration-test: all
	@tests/run integration

# libFuzzer targets under ASan/UBSan (clang); seeds from the fixtures. FUZZ_SECONDS per target.
FUZZ_TARGETS := $(patsubst fuzz/%.c,%,$(wildcard fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 10
FUZZ_COMMON  := -g -O1 -fno-sanitize-recover=undefined -D_GNU_SOURCE \
                -Iinclude -DNODEGUARD_VERSION='"$(VERSION)"' -DNODEGUARD_SYSCONFDIR='"$(SYSCONFDIR)"' \
                -DNODEGUARD_LIBEXECDIR='"$(LIBEXECDIR)"' $(shell $(PKG_CONFIG) --cflags yajl)
FUZZ_CFLAGS  := -fsanitize=fuzzer,address,undefined $(FUZZ_COMMON)
FUZZ_OBJ_CFLAGS := -fsanitize=fuzzer-no-link,address,undefined $(FUZZ_COMMON)
# The library is compiled once for every target (fuzzer-no-link: instrumented, no main), each
# target then only links: compiling the whole library per target cost minutes of CI.
FUZZ_LIB_OBJ := $(patsubst %.c,$(BUILD)/fuzz/obj/%.o,$(LIB_SRC)) $(BUILD)/fuzz/obj/seccomp_filters.o
fuzz-build: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
$(BUILD)/fuzz/obj/%.o: %.c $(BAKED)
	@mkdir -p $(dir $@)
	clang $(FUZZ_OBJ_CFLAGS) -MMD -MP -c -o $@ $<
$(BUILD)/fuzz/obj/seccomp_filters.o: $(GEN_SECCOMP)
	@mkdir -p $(dir $@)
	clang $(FUZZ_OBJ_CFLAGS) -c -o $@ $<
$(BUILD)/fuzz/%: fuzz/%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_OBJ) $(LDLIBS)
-include $(FUZZ_LIB_OBJ:.o=.d)
fuzz: fuzz-build
	@fuzz/run $(FUZZ_SECONDS) $(FUZZ_TARGETS)

demo: all
	@tests/demo

# Static analysis, both in CI. Neither cppcheck nor clang 14's analyzer models
# __attribute__((cleanup)), so both would call every cleanup_* variable a leak: leaks are
# LeakSanitizer's and valgrind's job here (make sanitize-test, make valgrind-test) instead.
CPPCHECK_DEFS := -D_GNU_SOURCE -DNODEGUARD_VERSION='"x"' -DNODEGUARD_SYSCONFDIR='"/etc"' -DNODEGUARD_LIBEXECDIR='"/usr/libexec"'
analyze: check-deps
	cppcheck --enable=warning,performance,portability --inline-suppr --error-exitcode=1 --quiet \
	    --suppress=memleak --suppress=resourceLeak -I include $(CPPCHECK_DEFS) src hooks
	@echo "cppcheck: clean"
	rm -rf $(BUILD)/scan $(BUILD)/scan-build && scan-build --status-bugs -disable-checker unix.Malloc \
	    -o $(BUILD)/scan $(MAKE) -s BUILD=$(BUILD)/scan-build STATIC_HOOK=0 all
	@echo "scan-build: clean"

FORMAT_FILES := $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	@clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: $(words $(FORMAT_FILES)) files clean"

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR)/nodeguard $(DESTDIR)$(HOOKSDIR) \
	           $(DESTDIR)$(SYSCONFDIR)/nodeguard $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	           $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(TMPFILESDIR)
	install -m 0644 man/nodeguard.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 0644 man/nodeguard.json.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/nodeguard-hook.8 man/nodeguard-runtime.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 packaging/tmpfiles.d/nodeguard.conf $(DESTDIR)$(TMPFILESDIR)/nodeguard.conf
	install -m 0755 $(BUILD)/nodeguard $(DESTDIR)$(BINDIR)/nodeguard
	install -m 0755 $(BUILD)/nodeguard-runtime $(DESTDIR)$(BINDIR)/nodeguard-runtime
	install -m 0755 $(BUILD)/nodeguard-hook $(DESTDIR)$(LIBEXECDIR)/nodeguard/nodeguard-hook
	for f in oci-config/hooks.d/*.json; do \
	  sed 's|/usr/libexec/nodeguard/nodeguard-hook|$(LIBEXECDIR)/nodeguard/nodeguard-hook|' $$f > $(DESTDIR)$(HOOKSDIR)/$$(basename $$f); \
	  chmod 0644 $(DESTDIR)$(HOOKSDIR)/$$(basename $$f); done
	test -e $(DESTDIR)$(SYSCONFDIR)/nodeguard/nodeguard.json || \
	  install -m 0644 oci-config/nodeguard.json $(DESTDIR)$(SYSCONFDIR)/nodeguard/nodeguard.json

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/nodeguard $(DESTDIR)$(BINDIR)/nodeguard-runtime \
	      $(DESTDIR)$(LIBEXECDIR)/nodeguard/nodeguard-hook
	for f in oci-config/hooks.d/*.json; do rm -f $(DESTDIR)$(HOOKSDIR)/$$(basename $$f); done
	rm -f $(DESTDIR)$(MANDIR)/man1/nodeguard.1 $(DESTDIR)$(MANDIR)/man5/nodeguard.json.5 \
	      $(DESTDIR)$(MANDIR)/man8/nodeguard-hook.8 $(DESTDIR)$(MANDIR)/man8/nodeguard-runtime.8 \
	      $(DESTDIR)$(TMPFILESDIR)/nodeguard.conf

# Packages from the files git tracks (plus uncommitted edits to them), built with each
# distribution's own tools: dpkg-buildpackage (debhelper) and rpmbuild. Both land in build/packages/.
PKGDIR := $(BUILD)/packages
define pkg_source
	rm -rf $(1) && mkdir -p $(1)/nodeguard-$(VERSION) $(PKGDIR)
	git ls-files -z | xargs -0 -I{} cp --parents {} $(1)/nodeguard-$(VERSION)/
endef

deb:
	$(call pkg_source,$(BUILD)/deb)
	cp -r packaging/debian $(BUILD)/deb/nodeguard-$(VERSION)/debian
	cd $(BUILD)/deb/nodeguard-$(VERSION) && dpkg-buildpackage -us -uc -b
	cp $(BUILD)/deb/nodeguard_$(VERSION)_*.deb $(PKGDIR)/
	@ls $(PKGDIR)/*.deb

rpm:
	$(call pkg_source,$(BUILD)/rpmsrc)
	mkdir -p $(BUILD)/rpm/SOURCES
	tar -C $(BUILD)/rpmsrc -czf $(BUILD)/rpm/SOURCES/nodeguard-$(VERSION).tar.gz nodeguard-$(VERSION)
	rpmbuild -bb --nodeps --define "_topdir $(CURDIR)/$(BUILD)/rpm" packaging/rpm/nodeguard.spec
	cp $(BUILD)/rpm/RPMS/*/nodeguard-$(VERSION)-*.rpm $(PKGDIR)/
	@ls $(PKGDIR)/*.rpm

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/src $(BUILD)/hooks $(BUILD)/tests -name '*.d' -type f 2>/dev/null)
