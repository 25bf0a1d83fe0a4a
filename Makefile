# uniprobe: one hybrid ISO with an i386 and an x86_64 kernel.
#
#   make            both kernels and iso/uniprobe.iso
#   make run        boot x86_64 in QEMU, serial on the terminal
#                   (ARCH=i386, FW=uefi, MEDIA=usb, MODE=bench|test|trace|idle, KVM=1)
#   make test       host tests of lib/ and the QEMU boot matrix
#   make bench      benchmark on both arches (ICOUNT=1: exact instruction counts)
#   make bench-linux  Linux's own probes measured the same way on the same QEMU
#                   (downloads Debian's kernel once); results/compare.md
#   make trace      mode=trace: results/trace.txt, trace.json (Perfetto), trace.folded, flame.svg
#                   (ARCH=, FW=, ICOUNT=1, ARGS="trace=... profile=... probe=...")
#   make debug      QEMU halted with a gdbstub, gdb attached with the kernel's symbols
#   make deps       install the Debian packages (as root) or print the apt-get line
#   make clean

include toolchain.mk

ARCHS  := i386 x86_64
BUILD  ?= build
ARCH   ?= x86_64
FW     ?= bios
MEDIA  ?= cdrom
MODE   ?= bench
ISO    ?= iso/uniprobe.iso
V      ?= 0
Q      := $(if $(filter 1,$(V)),,@)

.PHONY: all run test bench bench-linux trace debug clean deps kernels host-tests test-qemu FORCE
all: kernels $(ISO)

# ---------------------------------------------------------------------------
# Kernel flags. Frame pointers stay: the unwinder walks them. Every function
# gets a `call __fentry__` recorded in __mcount_loc; the files listed in
# NOTRACE are the tracing machinery itself and must not be traced.
COMMON_CFLAGS := -std=gnu11 -ffreestanding -fno-builtin -nostdlib -fno-pie -fno-pic \
	-fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -fno-common -fno-tree-loop-distribute-patterns -O2 -g -Wall -Wextra -Werror=implicit-function-declaration \
	-I. -MMD -MP
TRACE_CFLAGS := -pg -mfentry -mrecord-mcount
CFLAGS_i386   := -m32 -march=i586 -mgeneral-regs-only -Iarch/i386
CFLAGS_x86_64 := -m64 -mno-red-zone -mcmodel=small -mgeneral-regs-only -Iarch/x86_64
ASFLAGS_i386   := -m32 -Iarch/i386
ASFLAGS_x86_64 := -m64 -Iarch/x86_64
LDFLAGS_i386   := -m elf_i386 -nostdlib -z max-page-size=0x1000 --no-warn-rwx-segments
LDFLAGS_x86_64 := -m elf_x86_64 -nostdlib -z max-page-size=0x1000 --no-warn-rwx-segments

# Code that must never call __fentry__: the fentry/trampoline machinery and
# the earliest boot path (before text_poke exists the call sites are live).
NOTRACE := $(wildcard $(shell cat kernel/notrace.list 2>/dev/null))

KERNEL_C := $(wildcard kernel/*.c kernel/*/*.c tests/kernel/*.c) $(filter-out $(wildcard lib/*_host.c),$(wildcard lib/*.c))

define kernel_rules
$(1)_C   := $$(KERNEL_C) $$(filter-out arch/$(1)/asm-offsets.c,$$(wildcard arch/$(1)/*.c))
$(1)_S   := $$(wildcard kernel/*.S kernel/*/*.S) $$(wildcard arch/$(1)/*.S tests/kernel/$(1)/*.S)
$(1)_OBJ := $$(patsubst %.c,$(BUILD)/$(1)/%.o,$$($(1)_C)) $$(patsubst %.S,$(BUILD)/$(1)/%.o,$$($(1)_S))
# (asked only once the compiler exists: before `make deps` there is nothing to ask)
$(1)_LIBGCC := $$(if $$(CC_$(1)),$$(shell $$(CC_$(1)) $$(CFLAGS_$(1)) -print-libgcc-file-name))

$(BUILD)/$(1)/%.o: %.c $(BUILD)/$(1)/asm-offsets.h
	@mkdir -p $$(dir $$@)
	@echo "  CC [$(1)] $$<"
	$$(Q)$$(CC_$(1)) $$(COMMON_CFLAGS) $$(CFLAGS_$(1)) -I$(BUILD)/$(1) \
		$$(if $$(filter $$<,$$(NOTRACE) arch/$(1)/%),,$$(TRACE_CFLAGS)) -c $$< -o $$@

$(BUILD)/$(1)/%.o: %.S $(BUILD)/$(1)/asm-offsets.h
	@mkdir -p $$(dir $$@)
	@echo "  AS [$(1)] $$<"
	$$(Q)$$(CC_$(1)) $$(ASFLAGS_$(1)) -I. -I$(BUILD)/$(1) -D__ASSEMBLY__ -MMD -MP -c $$< -o $$@

# struct offsets for asm, generated from the C layout (never hand-counted).
$(BUILD)/$(1)/asm-offsets.h: arch/$(1)/asm-offsets.c arch/$(1)/arch_defs.h kernel/traps.h tools/gen-asm-offsets.sh
	@mkdir -p $$(dir $$@)
	@echo "  GEN [$(1)] $$@"
	$$(Q)$$(CC_$(1)) $$(COMMON_CFLAGS) $$(CFLAGS_$(1)) -S arch/$(1)/asm-offsets.c -o $$@.s
	$$(Q)sh tools/gen-asm-offsets.sh < $$@.s > $$@.tmp && mv $$@.tmp $$@

# Two-pass link: pass 1 with an empty symbol table, then the table generated
# from pass 1's symbols. .kallsyms is linked last, so its size moves nothing.
$(BUILD)/$(1)/kallsyms0.o: tools/gen-kallsyms.sh
	@mkdir -p $$(dir $$@)
	$$(Q)sh tools/gen-kallsyms.sh < /dev/null > $(BUILD)/$(1)/kallsyms0.S
	$$(Q)$$(CC_$(1)) $$(ASFLAGS_$(1)) -c $(BUILD)/$(1)/kallsyms0.S -o $$@

$(BUILD)/$(1)/pass1.elf: $$($(1)_OBJ) $(BUILD)/$(1)/kallsyms0.o arch/$(1)/kernel.ld
	@echo "  LD [$(1)] $$@"
	$$(Q)$$(LD_$(1)) $$(LDFLAGS_$(1)) -T arch/$(1)/kernel.ld -o $$@ $$($(1)_OBJ) $(BUILD)/$(1)/kallsyms0.o $$($(1)_LIBGCC)

$(BUILD)/$(1)/kallsyms.o: $(BUILD)/$(1)/pass1.elf tools/gen-kallsyms.sh
	$$(Q)$$(NM_$(1)) -n -S $$< | sh tools/gen-kallsyms.sh > $(BUILD)/$(1)/kallsyms.S
	$$(Q)$$(CC_$(1)) $$(ASFLAGS_$(1)) -c $(BUILD)/$(1)/kallsyms.S -o $$@

# BTF (the kernel's types) from pass 1's DWARF, by pahole; linked as .BTF
# after .kallsyms (types do not depend on addresses). The DWARF itself stays
# in sections that are not loaded.
# pahole 1.24 calls every function static: tools/btf-linkage sets the linkage
# from the symbol table (i386 passes static functions' arguments in registers).
$(BUILD)/$(1)/btf.bin: $(BUILD)/$(1)/pass1.elf $(BUILD)/host/btf-linkage
	$$(Q)$$(PAHOLE) --btf_encode_detached=$$@ -J $$<
	$$(Q)$$(NM_$(1)) $$< | $(BUILD)/host/btf-linkage $$@
	@echo "  BTF [$(1)] $$$$(wc -c < $$@) bytes in the image"

$(BUILD)/$(1)/btf.o: $(BUILD)/$(1)/btf.bin
	$$(Q)printf '\t.section .BTF,"a"\n\t.balign 4\n\t.incbin "%s"\n\t.section .note.GNU-stack,"",@progbits\n' $$< > $(BUILD)/$(1)/btf.S
	$$(Q)$$(CC_$(1)) $$(ASFLAGS_$(1)) -c $(BUILD)/$(1)/btf.S -o $$@

$(BUILD)/$(1)/uniprobe.elf: $(BUILD)/$(1)/pass1.elf $(BUILD)/$(1)/kallsyms.o $(BUILD)/$(1)/btf.o
	@echo "  LD [$(1)] $$@"
	$$(Q)$$(LD_$(1)) $$(LDFLAGS_$(1)) -T arch/$(1)/kernel.ld -Map $$@.map -o $$@ $$($(1)_OBJ) $(BUILD)/$(1)/kallsyms.o $(BUILD)/$(1)/btf.o $$($(1)_LIBGCC)
	$$(Q)$$(NM_$(1)) -n $(BUILD)/$(1)/pass1.elf | grep -v -e kallsyms -e __kernel_end -e __btf_ > $$@.nm1
	$$(Q)$$(NM_$(1)) -n $$@ | grep -v -e kallsyms -e __kernel_end -e __btf_ > $$@.nm2
	$$(Q)cmp -s $$@.nm1 $$@.nm2 || { echo "kallsyms moved symbols between passes" >&2; rm -f $$@; exit 1; }

-include $$($(1)_OBJ:.o=.d)
endef
$(foreach a,$(ARCHS),$(eval $(call kernel_rules,$(a))))

KERNELS := $(foreach a,$(ARCHS),$(BUILD)/$(a)/uniprobe.elf)
# The objtool: every kernel passes it before it reaches the ISO.
include mk/objcheck.mk
kernels: check-tools $(KERNELS) objcheck

# ---------------------------------------------------------------------------
# The ISO: BIOS (i386-pc) + UEFI (x86_64-efi), isohybrid with an EFI partition.
$(ISO): $(KERNELS) $(OBJCHECK_STAMPS) iso/grub.cfg iso/mkiso.sh
	@echo "  ISO $@"
	$(Q)GRUB_MKRESCUE=$(GRUB_MKRESCUE) sh iso/mkiso.sh $@ $(BUILD)/isoroot $(KERNELS)

# ---------------------------------------------------------------------------
# Host side: lib/ unit tests and the instruction decoder checks.
include mk/host.mk
include mk/check.mk
include mk/fuzz.mk
-include mk/insn.mk

# ---------------------------------------------------------------------------
# Missing tools: install them (as root) and start over, so a fresh machine
# needs nothing but the two README commands.
check-tools:
	@if [ -n "$(MISSING_TOOLS)" ]; then echo "missing: $(MISSING_TOOLS); run 'make deps'" >&2; exit 1; fi

deps:
	@sh tools/deps.sh $(DEB_PACKAGES)

QEMU_RUN = $(PYTHON) tests/qemu.py --iso $(ISO) --build $(BUILD)

ifneq ($(MISSING_TOOLS),)
run test bench trace debug:
	@echo "missing tools: $(MISSING_TOOLS)"
	$(MAKE) --no-print-directory deps
	$(MAKE) --no-print-directory $@
else
run: all
	$(QEMU_RUN) run --arch $(ARCH) --fw $(FW) --media $(MEDIA) --mode $(MODE) $(if $(filter 1,$(KVM)),--kvm) $(if $(filter 1,$(ICOUNT)),--icount) $(if $(ARGS),--args "$(ARGS)")

debug: all
	$(QEMU_RUN) debug --arch $(ARCH) --fw $(FW) --media $(MEDIA) --mode $(MODE) --gdb $(GDB) --elf $(BUILD)/$(ARCH)/uniprobe.elf

test: all host-tests-build
	$(PYTHON) tests/run_all.py --iso $(ISO) --build $(BUILD) $(if $(filter 1,$(KVM)),--kvm)

# ARGS reaches the kernel as typed ($arg0 in a probe= stays $arg0): through
# the environment, not expanded again by make or the shell.
trace: export UNIPROBE_ARGS := $(value ARGS)
trace: all
	$(PYTHON) tests/trace.py --iso $(ISO) --build $(BUILD) --arch $(ARCH) --fw $(FW) --media $(MEDIA) $(if $(filter 1,$(KVM)),--kvm) $(if $(filter 1,$(ICOUNT)),--icount) $(if $(ARGS),--args "$$UNIPROBE_ARGS")

bench: all
	$(PYTHON) tests/bench.py --iso $(ISO) --build $(BUILD) $(BENCH_FLAGS)
endif

# Both kernels' benchmarks: both arches unless ARCH= is given on the command line.
BENCH_FLAGS = $(if $(filter 1,$(KVM)),--kvm) $(if $(filter 1,$(ICOUNT)),--icount) \
	$(if $(filter command line,$(origin ARCH)),--arch $(ARCH))
LINUX_CACHE ?= $(BUILD)/linux-cache

# Debian's stock kernel with tools/linux-bench/ubench.ko, cached in LINUX_CACHE.
bench-linux:
	$(PYTHON) tests/bench_linux.py --build $(BUILD) --cache $(LINUX_CACHE) $(BENCH_FLAGS)

clean:
	rm -rf $(BUILD) $(ISO) results

print-deps:
	@echo $(DEB_PACKAGES)

# ---------------------------------------------------------------------------
# Real PCs. `make usb DEV=/dev/sdX` writes the ISO to a stick after checks
# (not mounted, removable, at most 128 GiB unless FORCE=1; see
# tools/write-usb.sh). `make test-matrix`: the long QEMU matrix (CPU models,
# machines, memory sizes, no serial port, SMP, USB sticks), not run by CI.
.PHONY: usb test-matrix
usb: all
	@FORCE="$(FORCE)" sh tools/write-usb.sh "$(ISO)" "$(DEV)"

test-matrix: all
	$(PYTHON) tests/test_matrix.py --iso $(ISO) --build $(BUILD) $(if $(filter 1,$(KVM)),--kvm)
