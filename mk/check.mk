# mk/check.mk - static analysis: `make check`.
#
# gcc -fanalyzer over every kernel C file with the kernel's own flags (the
# common code and arch/x86_64 as x86_64, arch/i386 as i386), then cppcheck
# over kernel/, lib/ and arch/ for both word sizes. Any warning fails; the
# suppressions, each with its reason, are in tools/cppcheck.supp. Prints
# "check: N passed, N failed" (one per file analysed, one per cppcheck run).

CHECK_DIR := $(BUILD)/check
ANALYZE_x86_64 := $(filter-out arch/x86_64/asm-offsets.c,$(KERNEL_C) $(wildcard arch/x86_64/*.c))
ANALYZE_i386   := $(filter-out arch/i386/asm-offsets.c,$(wildcard arch/i386/*.c))
ANALYZE_LOGS := $(patsubst %.c,$(CHECK_DIR)/x86_64/%.log,$(ANALYZE_x86_64)) \
		$(patsubst %.c,$(CHECK_DIR)/i386/%.log,$(ANALYZE_i386))
CPPCHECK_FLAGS := -q --enable=warning,portability,performance --std=c11 --inline-suppr \
	--suppressions-list=tools/cppcheck.supp --error-exitcode=1 \
	--template='{file}:{line}: {severity}: {id}: {message}'

# One log per file; the rule succeeds even with warnings so that all files get
# analysed; check-report counts them.
define analyze_rule
$(CHECK_DIR)/$(1)/%.log: %.c $(BUILD)/$(1)/asm-offsets.h
	@mkdir -p $$(dir $$@)
	@echo "  ANALYZE [$(1)] $$<"
	$$(Q)$$(CC_$(1)) $$(COMMON_CFLAGS) $$(CFLAGS_$(1)) -I$(BUILD)/$(1) -fanalyzer -c $$< \
		-o $$(@:.log=.o) -MF $$(@:.log=.d) -MT $$@ > $$@ 2>&1 || echo "error: compiler failed" >> $$@
endef
$(foreach a,$(ARCHS),$(eval $(call analyze_rule,$(a))))

$(CHECK_DIR)/cppcheck-%.log: FORCE
	@mkdir -p $(dir $@)
	@echo "  CPPCHECK [$*]"
	$(Q)$(CPPCHECK) $(CPPCHECK_FLAGS) $(if $(filter i386,$*),--platform=unix32 -D__i386__,--platform=unix64 -D__x86_64__) \
		-I. -Iarch/$* -I$(BUILD)/$* kernel lib arch/$* > $@ 2>&1 || true

-include $(ANALYZE_LOGS:.log=.d)

.PHONY: check
check: $(ANALYZE_LOGS) $(CHECK_DIR)/cppcheck-x86_64.log $(CHECK_DIR)/cppcheck-i386.log
	@pass=0; fail=0; \
	for f in $^; do \
		if grep -q -e 'warning:' -e 'error:' -e ': style:' -e ': portability:' -e ': performance:' $$f; then \
			fail=$$((fail + 1)); cat $$f; else pass=$$((pass + 1)); fi; \
	done; \
	echo "check: $$pass passed, $$fail failed"; [ $$fail = 0 ]
