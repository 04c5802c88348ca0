// SPDX-License-Identifier: GPL-2.0
/*
 * mlog-insn-mark: run one marker of the instruction-count plugin
 * (bench/insn/mlog-insn.c) from a shell script, for a benchmark whose
 * measured block is a whole program run (bench/apps/run --insns).
 *
 *   mlog-insn-mark none|log|end|flush
 *
 * "none" and "log" begin a block of that mode, "end" ends it, "flush"
 * appends the accumulated counts to DIR/insn-marks.log.  Outside QEMU, or
 * in a VM without the plugin, a marker is two no-op instructions.
 */
#include <stdio.h>
#include <string.h>

/* "xchg %bx,%bx" then "nopl 0x4d4c0000+TAG(%rax)", as the plugin expects. */
#define MARK_ASM ".byte 0x66, 0x87, 0xdb, 0x0f, 0x1f, 0x80\n\t.long 0x4d4c0000 + "

int main(int argc, char **argv)
{
	const char *m = argc == 2 ? argv[1] : "";

	if (!strcmp(m, "none")) {
		asm volatile(MARK_ASM "1" : : : "memory");
	} else if (!strcmp(m, "log")) {
		asm volatile(MARK_ASM "2" : : : "memory");
	} else if (!strcmp(m, "end")) {
		asm volatile(MARK_ASM "3" : : : "memory");
	} else if (!strcmp(m, "flush")) {
		asm volatile(MARK_ASM "4" : : : "memory");
	} else {
		fprintf(stderr, "usage: mlog-insn-mark none|log|end|flush\n");
		return 2;
	}
	return 0;
}
