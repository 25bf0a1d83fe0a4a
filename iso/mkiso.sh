#!/bin/sh
# Assemble the hybrid ISO: GRUB for BIOS (i386-pc, El Torito + MBR for USB
# sticks) and UEFI (x86_64-efi, an EFI system partition image), both kernels.
# usage: mkiso.sh OUT.iso STAGING-DIR I386-KERNEL X86_64-KERNEL
set -eu
out=$1 root=$2 k32=$3 k64=$4
rm -rf "$root"
mkdir -p "$root/boot/grub" "$root/boot/i386" "$root/boot/x86_64"
cp iso/grub.cfg "$root/boot/grub/grub.cfg"
cp "$k32" "$root/boot/i386/uniprobe.elf"
cp "$k64" "$root/boot/x86_64/uniprobe.elf"
mkdir -p "$(dirname "$out")"
log=$(mktemp)
# grub-mkrescue takes every platform installed under /usr/lib/grub
# (grub-pc-bin, grub-efi-amd64-bin) and makes the image isohybrid.
if ! "${GRUB_MKRESCUE:-grub-mkrescue}" -o "$out" --locales= --themes= --fonts= \
	"$root" >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log"
	exit 1
fi
rm -f "$log"
