# Host builds of lib/ and their unit tests. Everything in lib/ builds for the
# host; the host test binaries go to $(BUILD)/host/.
HOSTCC ?= cc
HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -I.
# lib/string.c defines the mem*/str* names libc has; rename them for the host.
HOST_LIB_RENAME := -include tests/host/host_rename.h -fno-builtin

$(BUILD)/host/test_lib: tests/host/test_lib.c lib/format.c lib/string.c lib/format.h lib/string.h tests/host/host_rename.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_LIB_RENAME) -o $@ tests/host/test_lib.c lib/format.c lib/string.c

HOST_TESTS += $(BUILD)/host/test_lib

$(BUILD)/host/test_ringbuf: tests/host/test_ringbuf.c lib/ringbuf.c lib/ringbuf.h lib/string.c lib/string.h tests/host/host_rename.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_LIB_RENAME) -o $@ tests/host/test_ringbuf.c lib/ringbuf.c lib/string.c

HOST_TESTS += $(BUILD)/host/test_ringbuf

# The build's BTF fixer (FUNC linkage from the symbol table): a host tool on lib/btf.c.
$(BUILD)/host/btf-linkage: tools/btf-linkage.c lib/btf.c lib/btf.h lib/format.c lib/string.c tests/host/host_rename.h
	@mkdir -p $(dir $@)
	$(Q)$(HOSTCC) $(HOST_CFLAGS) $(HOST_LIB_RENAME) -o $@ tools/btf-linkage.c lib/btf.c lib/format.c lib/string.c

# The BTF reader against bpftool on both kernels' BTF (so it runs after they are built).
$(BUILD)/host/test_btf: tests/host/test_btf.c lib/btf.c lib/btf.h lib/format.c lib/string.c tests/host/host_rename.h
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOST_CFLAGS) $(HOST_LIB_RENAME) -o $@ tests/host/test_btf.c lib/btf.c lib/format.c lib/string.c

HOST_TESTS += $(BUILD)/host/test_btf

.PHONY: host-tests host-tests-build
host-tests-build: $(HOST_TESTS)
host-tests: host-tests-build
	@for t in $(HOST_TESTS); do $$t || exit 1; done
