# toolchain.mk: find the tools; never assume them.
#
# Cross compilers are preferred when on PATH (i686-elf-gcc, x86_64-elf-gcc).
# Otherwise Debian's i686-linux-gnu-gcc builds i386 and the host gcc builds
# x86_64, both freestanding. Do not install gcc-multilib: on Debian 12 it
# removes gcc-i686-linux-gnu.

have = $(shell command -v $(1) 2>/dev/null)
first_of = $(firstword $(foreach t,$(1),$(if $(call have,$(t)),$(t))))

CC_i386    ?= $(call first_of,i686-elf-gcc i686-linux-gnu-gcc)
CC_x86_64  ?= $(call first_of,x86_64-elf-gcc x86_64-linux-gnu-gcc gcc)
LD_i386    ?= $(call first_of,i686-elf-ld i686-linux-gnu-ld)
LD_x86_64  ?= $(call first_of,x86_64-elf-ld x86_64-linux-gnu-ld ld)
NM_i386    ?= $(call first_of,i686-elf-nm i686-linux-gnu-nm nm)
NM_x86_64  ?= $(call first_of,x86_64-elf-nm x86_64-linux-gnu-nm nm)
OBJDUMP    ?= $(call first_of,objdump x86_64-linux-gnu-objdump)
HOSTCC     ?= $(call first_of,cc gcc clang)
PYTHON     ?= $(call first_of,python3)

QEMU_i386   ?= $(call first_of,qemu-system-i386 qemu-system-x86_64)
QEMU_x86_64 ?= $(call first_of,qemu-system-x86_64)
GRUB_MKRESCUE ?= $(call first_of,grub-mkrescue grub2-mkrescue)
XORRISO    ?= $(call first_of,xorriso)
MFORMAT    ?= $(call first_of,mformat)
GDB        ?= $(call first_of,gdb)
GNUPLOT    ?= $(call first_of,gnuplot)
RSVG_CONVERT ?= $(call first_of,rsvg-convert)
PAHOLE     ?= $(call first_of,pahole)
BPFTOOL    ?= $(call first_of,bpftool /usr/sbin/bpftool)
ZBARIMG    ?= $(call first_of,zbarimg)

# pahole makes the kernel's BTF; --btf_encode_detached needs 1.22 or later.
PAHOLE_MIN := 122
PAHOLE_VERSION := $(if $(PAHOLE),$(shell $(PAHOLE) --version 2>/dev/null | sed -n 's/^v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p' | awk '{ print $$1 * 100 + $$2 }'))
PAHOLE_OK := $(if $(PAHOLE_VERSION),$(shell [ $(PAHOLE_VERSION) -ge $(PAHOLE_MIN) ] && echo yes))

# Firmware and GRUB platform directories are files, not commands.
first_file = $(firstword $(foreach f,$(1),$(wildcard $(f))))
OVMF_CODE  ?= $(call first_file,/usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/OVMF/OVMF_CODE.fd /usr/share/ovmf/OVMF.fd)
OVMF_VARS  ?= $(call first_file,/usr/share/OVMF/OVMF_VARS_4M.fd /usr/share/OVMF/OVMF_VARS.fd)
GRUB_PC_DIR  ?= $(call first_file,/usr/lib/grub/i386-pc)
GRUB_EFI_DIR ?= $(call first_file,/usr/lib/grub/x86_64-efi)
ZYDIS_H    ?= $(call first_file,/usr/include/Zydis/Zydis.h)
# make check (cppcheck) and the fuzz targets (clang's libFuzzer, ASan, UBSan).
CPPCHECK   ?= $(call first_of,cppcheck)
CLANG      ?= $(call first_of,clang-14 clang)
LIBFUZZER  ?= $(call first_file,$(wildcard /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a))

# The Debian packages that provide each of the above; `make deps` installs them.
# libc6/libstdc++6 (i386 cross and native) provide binaries the decoder is
# checked against (mk/insn.mk). pahole (the dwarves tools) makes the kernel's BTF and
# the module BTF of make bench-linux's BPF kinds; bpftool is what the host
# test checks our BTF parser against. zbar-tools reads the benchmark's QR
# codes back from screendumps (tests/test_qr.py); qrencode made the encoder's
# test vectors (tools/qr_vectors.py); librsvg2-bin renders the flame graph in
# the trace tests (tests/test_trace.py).
DEB_PACKAGES := make gcc binutils gcc-i686-linux-gnu binutils-i686-linux-gnu \
	qemu-system-x86 grub-pc-bin grub-efi-amd64-bin grub-common xorriso mtools \
	ovmf libzydis-dev python3 gnuplot-nox gdb librsvg2-bin \
	libc6-i386-cross libstdc++6-i386-cross libstdc++6 pahole bpftool zbar-tools qrencode \
	cppcheck clang libclang-rt-14-dev llvm

# Which of the needed things is missing (empty when all are present).
MISSING_TOOLS := $(strip \
	$(if $(CC_i386),,gcc-i686-linux-gnu) \
	$(if $(LD_i386),,binutils-i686-linux-gnu) \
	$(if $(QEMU_x86_64),,qemu-system-x86) \
	$(if $(GRUB_MKRESCUE),,grub-common) \
	$(if $(GRUB_PC_DIR),,grub-pc-bin) \
	$(if $(GRUB_EFI_DIR),,grub-efi-amd64-bin) \
	$(if $(XORRISO),,xorriso) \
	$(if $(MFORMAT),,mtools) \
	$(if $(OVMF_CODE),,ovmf) \
	$(if $(ZYDIS_H),,libzydis-dev) \
	$(if $(RSVG_CONVERT),,librsvg2-bin) \
	$(if $(PAHOLE_OK),,pahole) \
	$(if $(BPFTOOL),,bpftool) \
	$(if $(ZBARIMG),,zbar-tools) \
	$(if $(CPPCHECK),,cppcheck) \
	$(if $(CLANG),,clang) \
	$(if $(LIBFUZZER),,libclang-rt-14-dev) \
	$(if $(PYTHON),,python3))
