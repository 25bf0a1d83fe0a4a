#!/bin/sh
# tests/host/test_objcheck.sh - tools/objcheck must accept the good test
# images and reject each deliberately broken one for the right rule.
#
#   test_objcheck.sh OBJCHECK OUTDIR CC64 LD64 [CC32 LD32]
#
# Each case compiles/assembles files of tests/host/objcheck/, links them with
# test.ld (and a map) and runs objcheck; prints "N passed, N failed".
OC=$1 OUT=$2 CC64=$3 LD64=$4 CC32=$5 LD32=$6
D=tests/host/objcheck
CFLAGS="-O2 -ffreestanding -fno-builtin -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer -fcf-protection=none -I."
TRACE="-pg,-mfentry,-mrecord-mcount"
pass=0 fail=0
mkdir -p "$OUT"

# case NAME ARCH EXPECT OBJCHECK-ARGS -- FILE[:FLAGS]...
#   EXPECT: ok (exit 0), warn (exit 0 and a warning), usage (exit 2) or a rule name (exit 1
#   and "RULE:" in the output).
case_() {
	name=$1 arch=$2 expect=$3; shift 3
	args=""
	while [ "$1" != "--" ]; do args="$args $1"; shift; done
	shift
	if [ "$arch" = 64 ]; then cc=$CC64 ld="$LD64 -m elf_x86_64" m=-m64; else cc=$CC32 ld="$LD32 -m elf_i386" m=-m32; fi
	dir=$OUT/$name-$arch objs=""
	mkdir -p "$dir"
	for spec in "$D/fentry.S" "$@"; do
		f=${spec%%:*} flags=""
		[ "$f" != "$spec" ] && flags=$(echo "${spec#*:}" | tr , ' ')
		o=$dir/${f%.*}.o	# build-tree path like the kernel's: notrace.list matches it
		mkdir -p "$(dirname "$o")"
		$cc $m $CFLAGS $flags -D__ASSEMBLY__ -c "$f" -o "$o" 2>"$dir/cc.log" ||
			{ echo "FAIL $name-$arch: cannot build $f"; cat "$dir/cc.log"; fail=$((fail + 1)); return; }
		objs="$objs $o"
	done
	$ld -z noexecstack -T $D/test.ld -Map "$dir/image.map" -o "$dir/image.elf" $objs 2>"$dir/ld.log" ||
		{ echo "FAIL $name-$arch: link"; cat "$dir/ld.log"; fail=$((fail + 1)); return; }
	$OC -m "$dir/image.map" $args "$dir/image.elf" >"$dir/out.txt" 2>&1
	rc=$?
	case $expect in
	ok)	ok=$([ $rc = 0 ] && ! grep -q ": warning:" "$dir/out.txt" && echo y) ;;
	warn)	ok=$([ $rc = 0 ] && grep -q ": warning:" "$dir/out.txt" && echo y) ;;
	usage)	ok=$([ $rc = 2 ] && echo y) ;;
	*)	ok=$([ $rc = 1 ] && grep -q ": $expect: " "$dir/out.txt" && echo y) ;;
	esac
	if [ "$ok" = y ]; then
		pass=$((pass + 1)); echo "ok   $name-$arch (expected $expect)"
	else
		fail=$((fail + 1)); echo "FAIL $name-$arch: expected $expect, exit $rc:"; sed 's/^/     /' "$dir/out.txt"
	fi
}

for a in 64 ${CC32:+32}; do
	case_ good $a ok -- $D/good.c
	case_ good-traced $a ok -- $D/good.c:$TRACE
	case_ noprobe-call $a noprobe -- $D/noprobe_call.c:$TRACE
	case_ notrace-calls-traced $a noprobe -n $D/notrace.list -- $D/notrace_traced.c $D/traced.c:$TRACE
	case_ notrace-unlisted $a ok -- $D/notrace_traced.c $D/traced.c:$TRACE
	case_ mcount-missing $a mcount -- $D/mcount_missing.c:-pg,-mfentry
	case_ traced-obj-without-fentry $a mcount -- $D/notrace_attr.c:$TRACE
	case_ traced-obj-notrace-allowed $a ok -a $D/notrace_attr.allow -- $D/notrace_attr.c:$TRACE
	case_ frame-omitted $a frame -- $D/frame_omit.c:-fomit-frame-pointer
	case_ indirect $a warn -- $D/indirect.c
	case_ indirect-allowed $a ok -a $D/indirect.allow -- $D/indirect.c
	case_ allow-without-reason $a usage -a $D/noreason.allow -- $D/indirect.c
done
case_ mcount-not-first 64 mcount -- $D/mcount_not_first.S
case_ mcount-not-call 64 mcount -- $D/mcount_not_call.S
case_ frame-asm 64 frame -- $D/frame.S
case_ frame-one-path 64 frame -- $D/frame_path.S
case_ frameless-asm 64 ok -- $D/frameless.S
case_ decode 64 decode -- $D/decode.S
echo "test_objcheck: $pass passed, $fail failed"
[ $fail = 0 ]
