/*
 * Bare-metal QEMU arm64 'virt' program, run as -bios: write fw_cfg's
 * file directory and then every file's contents, in directory order, to
 * the PL011 UART, then power off through PSCI. MMU off: no unaligned
 * accesses (-mstrict-align), no data but the stack.
 *
 *   aarch64-linux-gnu-gcc -O2 -ffreestanding -nostdlib -mstrict-align \\
 *     -mgeneral-regs-only -static -Wl,-Ttext=0 -o fwcfg-dump.elf fwcfg-dump.c
 *   aarch64-linux-gnu-objcopy -O binary fwcfg-dump.elf fwcfg-dump.bin
 */
#define UART_DR ((volatile unsigned char *)0x09000000)
#define FW_CFG_DATA ((volatile unsigned char *)0x09020000)
#define FW_CFG_SEL ((volatile unsigned short *)0x09020008)
#define DIR_COPY ((unsigned char *)0x41000000)   /* RAM, above the DTB */

static void sel(unsigned short key)
{
	*FW_CFG_SEL = (unsigned short)((key >> 8) | (key << 8));   /* big-endian */
}

static unsigned char put(void)
{
	unsigned char c = *FW_CFG_DATA;

	*UART_DR = c;
	return c;
}

__attribute__((used, noinline)) void dump(void)
{
	unsigned int count = 0, i, j, size;
	unsigned char *e;

	sel(0x19);
	for (i = 0; i < 4; i++)
		count = count << 8 | put();
	for (i = 0; i < 64 * count; i++)
		DIR_COPY[i] = put();
	for (i = 0; i < count; i++) {
		e = DIR_COPY + 64 * i;
		size = (unsigned)e[0] << 24 | e[1] << 16 | e[2] << 8 | e[3];
		sel((unsigned short)(e[4] << 8 | e[5]));
		for (j = 0; j < size; j++)
			put();
	}
	asm volatile("mov x0, #0x0008\n movk x0, #0x8400, lsl #16\n hvc #0" ::: "x0");
	for (;;)
		;
}

/* The entry point, first in the image: a stack in RAM, then dump(). */
asm(".section .text.startup, \"ax\"\n.global _start\n_start:\n"
    "movz x0, #0x4100, lsl #16\nmov sp, x0\nb dump\n.previous");
