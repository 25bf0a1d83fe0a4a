#!/bin/sh
# Write the hybrid ISO to a USB stick, after checks; never asks anything.
#
#   usage: write-usb.sh ISO /dev/sdX        (make usb DEV=/dev/sdX)
#
# Refused always: a missing ISO, something that is not a whole-disk block
# device, a device (or one of its partitions) that is mounted, used as swap
# or held by device-mapper/LVM/RAID, a device smaller than the ISO.
# Refused unless FORCE=1: a device the kernel calls non-removable
# (/sys/block/X/removable is 0: internal disks, but also some USB sticks
# and USB SSDs), and one larger than MAX_GIB (default 128) GiB.
# DRYRUN=1 does every check and prints the dd command instead of running it.
set -eu

iso=${1:-}
dev=${2:-}
max_gib=${MAX_GIB:-128}

die() {
	echo "write-usb: $*" >&2
	exit 1
}

[ -n "$iso" ] && [ -n "$dev" ] || die "usage: make usb DEV=/dev/sdX [FORCE=1] (the whole stick, not a partition)"
[ -f "$iso" ] || die "no ISO at $iso (run make first)"
[ -b "$dev" ] || die "$dev is not a block device"

real=$(readlink -f "$dev")
name=$(basename "$real")
sys=/sys/block/$name
if [ ! -d "$sys" ]; then
	[ -e "/sys/class/block/$name/partition" ] &&
		die "$dev is a partition: give the whole device (e.g. /dev/sdb, not /dev/sdb1)"
	die "$dev: no $sys (not a whole disk?)"
fi

# Mounted or swapped: the device itself or any partition of it.
parts="$real"
for p in "$sys"/"$name"*; do
	[ -e "$p/partition" ] && parts="$parts /dev/$(basename "$p")"
done
for p in $parts; do
	if awk -v d="$p" '{ cmd = "readlink -f " $1; cmd | getline r; close(cmd); if (r == d) found = 1 }
			  END { exit !found }' /proc/mounts 2>/dev/null; then
		die "$p is mounted: unmount it first (umount $p)"
	fi
	if awk -v d="$p" 'NR > 1 && $1 == d { found = 1 } END { exit !found }' /proc/swaps 2>/dev/null; then
		die "$p is used as swap (swapoff $p)"
	fi
done
for h in "$sys"/holders/* "$sys"/"$name"*/holders/*; do
	[ -e "$h" ] && die "$dev is in use by $(basename "$h") (device-mapper, LVM or RAID)"
done

sectors=$(cat "$sys/size")
bytes=$((sectors * 512))
gib=$((bytes / 1073741824))
iso_bytes=$(wc -c < "$iso")
[ "$bytes" -ge "$iso_bytes" ] || die "$dev holds $bytes bytes, the ISO needs $iso_bytes"

removable=$(cat "$sys/removable" 2>/dev/null || echo 0)
model=$(cat "$sys/device/model" 2>/dev/null | tr -s ' ' || true)
case $(readlink -f "$sys") in
*/usb*) bus=USB ;;
*) bus="not USB" ;;
esac
what="$dev: ${model:-unknown model}, $gib GiB, $bus, removable=$removable"

if [ "${FORCE:-0}" != 1 ]; then
	[ "$removable" = 1 ] ||
		die "$what: not a removable device; if it really is your stick, add FORCE=1"
	[ "$gib" -le "$max_gib" ] ||
		die "$what: larger than $max_gib GiB, unlikely a stick; if it is, add FORCE=1"
fi

echo "write-usb: $iso ($iso_bytes bytes) -> $what"
if [ "${DRYRUN:-0}" = 1 ]; then
	echo "dd if=$iso of=$real bs=4M conv=fsync"
	exit 0
fi
dd if="$iso" of="$real" bs=4M conv=fsync status=progress
sync
echo "write-usb: done; the stick boots under BIOS and UEFI"
