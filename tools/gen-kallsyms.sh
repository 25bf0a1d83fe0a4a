#!/bin/sh
# Read `nm -n -S` output of the first link pass and emit the kernel symbol
# table (code symbols, sorted by address) as assembly for .kallsyms. A symbol
# without a size (asm labels) extends to the next symbol. Linker-script
# boundary markers (__*_start, __*_end) are left out. Empty input gives an
# empty table (the pass-1 placeholder).
awk 'BEGIN { n = 0 }
function keep(name) {
	return name !~ /^kallsyms_/ && name !~ /^__.*_(start|end)$/ && name !~ /^(mb2_header_end|__kernel_end)$/
}
NF == 4 && $3 ~ /^[tTwW]$/ && keep($4) { addr[n] = $1; size[n] = $2; name[n] = $4; n++; next }
NF == 3 && $2 ~ /^[tTwW]$/ && $1 ~ /^[0-9a-f]+$/ && keep($3) { addr[n] = $1; size[n] = ""; name[n] = $3; n++; next }
function hex(s,   v, i, c) {
	v = 0
	for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
	return v
}
END {
	print "\t.section .kallsyms,\"a\""
	print "\t.balign 4"
	print "\t.globl kallsyms_count, kallsyms_addrs, kallsyms_sizes, kallsyms_name_offs, kallsyms_names"
	printf "kallsyms_count:\n\t.long %d\n", n
	print "kallsyms_addrs:"
	for (i = 0; i < n; i++) printf "\t.long 0x%s\n", substr(addr[i], length(addr[i]) - 7)
	print "kallsyms_sizes:"
	for (i = 0; i < n; i++) {
		if (size[i] != "") s = hex(size[i])
		else if (i + 1 < n) s = hex(addr[i + 1]) - hex(addr[i])
		else s = 0
		printf "\t.long %d\n", s
	}
	print "kallsyms_name_offs:"
	off = 0
	for (i = 0; i < n; i++) { printf "\t.long %d\n", off; off += length(name[i]) + 1 }
	print "kallsyms_names:"
	for (i = 0; i < n; i++) printf "\t.asciz \"%s\"\n", name[i]
	print "\t.section .note.GNU-stack,\"\",@progbits"
}'
