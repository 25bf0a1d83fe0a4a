# mk/fuzz.mk - libFuzzer targets (clang, ASan + UBSan) for the parsers of
# outside input; sources in tests/fuzz/, saved corpora in tests/fuzz/corpus/.
#
#   make fuzz            fuzz each target for FUZZ_TIME seconds (new inputs go to
#                        $(BUILD)/fuzz/work-TARGET, crashes to $(BUILD)/fuzz/crash-*)
#   make fuzz-regress    every saved input once, then FUZZ_RUNS fixed-seed runs per
#                        target (bounded, deterministic; part of `make test`)
#
# The parsers are the kernel's files built for the host; tests/fuzz/kshim.c
# stands in for the kernel functions they call. The symbol table is the
# x86_64 kernel's own (its kallsyms.S), so definitions name real functions.

FUZZ_TIME ?= 60
FUZZ_RUNS ?= 3000
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_TARGETS := cmdline probe_events acpi multiboot2 shell btf
FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -I. -Iarch/x86_64 -I$(BUILD)/x86_64 \
	-include tests/host/host_rename.h -fno-builtin -Wall -Wno-unused-function \
	-DKSHIM_BTF_BIN='"$(BUILD)/x86_64/btf.bin"'
FUZZ_LIB := lib/format.c lib/string.c kernel/dev/console.c
FUZZ_SYMS := kernel/kallsyms.c $(BUILD)/x86_64/kallsyms.S
FUZZ_SHIM := tests/fuzz/kshim.c $(FUZZ_SYMS)

FUZZ_SRCS_cmdline      := kernel/cmdline.c
FUZZ_SRCS_probe_events := kernel/cmdline.c kernel/trace/probe_filter.c kernel/trace/probe_btf.c \
	kernel/btf.c lib/btf.c arch/x86_64/kprobes_arch.c $(FUZZ_SHIM)
FUZZ_SRCS_acpi         := kernel/multiboot2.c $(FUZZ_SHIM)
FUZZ_SRCS_multiboot2   := tests/fuzz/kshim.c $(FUZZ_SYMS)
FUZZ_SRCS_btf          := lib/btf.c
FUZZ_SRCS_shell        := tests/fuzz/shell_stubs.c kernel/btf.c lib/btf.c $(FUZZ_SHIM)

FUZZ_BINS := $(foreach t,$(FUZZ_TARGETS),$(FUZZ_DIR)/fuzz_$(t))

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_LIB) tests/fuzz/kshim.c tests/fuzz/kshim.h \
		tests/fuzz/shell_stubs.c tests/fuzz/shell_stubs.h $(BUILD)/x86_64/uniprobe.elf
	@mkdir -p $(dir $@)
	@echo "  FUZZ-CC $@"
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_SRCS_$*) $(FUZZ_LIB)

.PHONY: fuzz fuzz-build fuzz-regress
fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_DIR)/work-$$t tests/fuzz/corpus/$$t; \
		echo "== fuzz $$t for $(FUZZ_TIME) s"; \
		$(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_TIME) -timeout=10 -print_final_stats=1 \
			-artifact_prefix=$(FUZZ_DIR)/crash-$$t- \
			$(FUZZ_DIR)/work-$$t tests/fuzz/corpus/$$t || exit 1; \
	done

# One "N passed, N failed" line per target: its saved inputs, then the fixed-seed runs.
fuzz-regress: $(FUZZ_BINS)
	@fail=0; for t in $(FUZZ_TARGETS); do \
		log=$(FUZZ_DIR)/regress-$$t.log; rm -rf $(FUZZ_DIR)/tmp-$$t; mkdir -p $(FUZZ_DIR)/tmp-$$t; \
		t0=$$(date +%s); \
		if $(FUZZ_DIR)/fuzz_$$t -runs=0 -timeout=10 -artifact_prefix=$(FUZZ_DIR)/crash-$$t- \
			tests/fuzz/corpus/$$t > $$log 2>&1 && \
		   $(FUZZ_DIR)/fuzz_$$t -runs=$(FUZZ_RUNS) -seed=1 -timeout=10 \
			-artifact_prefix=$(FUZZ_DIR)/crash-$$t- $(FUZZ_DIR)/tmp-$$t tests/fuzz/corpus/$$t >> $$log 2>&1; \
		then echo "fuzz_$$t: 1 passed, 0 failed ($$(ls tests/fuzz/corpus/$$t | wc -l) inputs + $(FUZZ_RUNS) runs, $$(( $$(date +%s) - t0 )) s)"; \
		else echo "fuzz_$$t: 0 passed, 1 failed (see $$log)"; tail -30 $$log; fail=1; fi; \
	done; [ $$fail = 0 ]
