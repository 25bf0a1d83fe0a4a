# mk/objcheck.mk - tools/objcheck, uniprobe's objtool (see tools/objcheck.c).
#
#   make objcheck        check both kernels (part of every build: the ISO needs it)
#   make test-objcheck   the deliberately broken test images must be rejected
#
# Each kernel's check leaves a stamp next to it; the ISO depends on the stamps,
# so a kernel that breaks a rule never reaches the ISO.

OBJCHECK := $(BUILD)/host/objcheck
OBJCHECK_ALLOW := tools/objcheck.allow

$(OBJCHECK): tools/objcheck.c lib/insn.c lib/insn_tables.c lib/insn.h lib/insn_tables.h
	@mkdir -p $(dir $@)
	@echo "  HOSTCC $@"
	$(Q)$(HOSTCC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -iquote lib -o $@ tools/objcheck.c lib/insn.c lib/insn_tables.c

$(BUILD)/%/objcheck.ok: $(BUILD)/%/uniprobe.elf $(OBJCHECK) $(OBJCHECK_ALLOW) kernel/notrace.list
	@echo "  OBJCHECK [$*] $<"
	$(Q)$(OBJCHECK) -m $<.map -n kernel/notrace.list -a $(OBJCHECK_ALLOW) $< > $@.log || \
		{ grep -v ' checked, 0 failed' $@.log >&2; exit 1; }
	$(Q)grep ': warning:' $@.log >&2 || true
	$(Q)touch $@

OBJCHECK_STAMPS := $(foreach a,$(ARCHS),$(BUILD)/$(a)/objcheck.ok)

.PHONY: objcheck test-objcheck
objcheck: $(OBJCHECK_STAMPS)

test-objcheck: $(OBJCHECK)
	@sh tests/host/test_objcheck.sh $(OBJCHECK) $(BUILD)/host/objcheck-tests \
		$(CC_x86_64) $(LD_x86_64) $(CC_i386) $(LD_i386)
