# mk/insn.mk - host builds and checks of the x86 instruction decoder (lib/insn.c).
#
# Included by the root Makefile; also works alone:
#   make -f mk/insn.mk test-insn             unit tests, objdump cross-checks, Zydis fuzz
#   make -f mk/insn.mk insn-check FILE=x.elf  compare lengths with objdump on one ELF
#
# Uses only HOSTCC and BUILD from the root; everything goes to $(BUILD)/host/.
# The fuzzer needs libzydis-dev (Zydis 4).

HOSTCC ?= cc
BUILD  ?= build

# The kernel build compiles every lib/*.c; these are the decoder's sources.
INSN_SRCS    := lib/insn.c lib/insn_tables.c
INSN_HDRS    := lib/insn.h lib/insn_tables.h
# -iquote: lib/ has its own string.h, which must not shadow the host's.
INSN_HOST_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -iquote lib

# System ELF files from Debian 12 packages libc6, libc6-i386-cross,
# libstdc++6(-i386-cross), qemu-system-x86 and cpp-12-i686-linux-gnu
# (pulled in by gcc-i686-linux-gnu). A missing one is skipped with a note.
INSN_CHECK_FILES ?= \
	/lib/x86_64-linux-gnu/libc.so.6 \
	/usr/i686-linux-gnu/lib/libc.so.6 \
	/usr/bin/qemu-system-x86_64 \
	/usr/i686-linux-gnu/lib/libm.so.6 \
	/usr/i686-linux-gnu/lib/libstdc++.so.6 \
	/usr/lib/x86_64-linux-gnu/libstdc++.so.6 \
	/usr/lib/gcc-cross/i686-linux-gnu/12/cc1
# Our own kernels, checked when they have been built.
INSN_KERNELS ?= $(BUILD)/i386/uniprobe.elf $(BUILD)/x86_64/uniprobe.elf
INSN_FUZZ_COUNT ?= 1000000

# Host test programs that run without arguments.
INSN_HOST_TESTS := $(BUILD)/host/test_insn $(BUILD)/host/insn_fuzz

$(BUILD)/host/test_insn: tests/host/test_insn.c $(INSN_SRCS) $(INSN_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(INSN_HOST_CFLAGS) -o $@ tests/host/test_insn.c $(INSN_SRCS)

$(BUILD)/host/insn_check: tests/host/insn_check.c $(INSN_SRCS) $(INSN_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(INSN_HOST_CFLAGS) -o $@ tests/host/insn_check.c $(INSN_SRCS)

$(BUILD)/host/insn_fuzz: tests/host/insn_fuzz.c tests/host/insn_known_diffs.h $(INSN_SRCS) $(INSN_HDRS)
	@mkdir -p $(dir $@)
	$(HOSTCC) $(INSN_HOST_CFLAGS) -o $@ tests/host/insn_fuzz.c $(INSN_SRCS) -lZydis

.PHONY: insn-check test-insn insn-host-build
insn-host-build: $(BUILD)/host/test_insn $(BUILD)/host/insn_check $(BUILD)/host/insn_fuzz

insn-check: $(BUILD)/host/insn_check
	@test -n "$(FILE)" || { echo "usage: make insn-check FILE=path/to/file.elf"; exit 2; }
	$(BUILD)/host/insn_check $(FILE)

# Each step prints its own "N passed, M failed" line; any failure fails the target.
test-insn: insn-host-build
	@fail=0; \
	echo "== insn: unit tests"; \
	out=$$($(BUILD)/host/test_insn) || fail=1; \
	printf '%s\n' "$$out" | grep -v '^ok '; \
	for f in $(INSN_CHECK_FILES) $(INSN_KERNELS); do \
		if [ ! -f "$$f" ]; then echo "== insn: skip $$f (not present)"; continue; fi; \
		echo "== insn: objdump cross-check $$f"; \
		$(BUILD)/host/insn_check -q "$$f" || fail=1; \
	done; \
	echo "== insn: Zydis differential fuzz"; \
	$(BUILD)/host/insn_fuzz -n $(INSN_FUZZ_COUNT) || fail=1; \
	if [ $$fail -ne 0 ]; then echo "test-insn: FAILED"; exit 1; fi; \
	echo "test-insn: all passed"
