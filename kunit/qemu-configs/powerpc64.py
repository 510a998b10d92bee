# kunit.py QEMU configuration of the powerpc64 KUnit target (--qemu_config).
# kunit.py's own powerpc configuration asks for console=ttyS0, which QEMU
# pseries does not have: the kernel then keeps its udbg boot console next
# to hvc0 (no preferred console ever registers), every line reaches
# QEMU's -serial stdio twice, and the doubled KTAP lines break kunit.py's
# parser. The pseries console is the hypervisor terminal, hvc0.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='powerpc',
			   kconfig='''
CONFIG_PPC64=y
CONFIG_PPC_PSERIES=y
CONFIG_HVC_CONSOLE=y''',
			   qemu_arch='ppc64',
			   kernel_path='vmlinux',
			   kernel_command_line='console=hvc0',
			   extra_qemu_params=['-M', 'pseries', '-cpu', 'power8'])
