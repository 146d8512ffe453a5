/**
 * Modules `/init` loads on a modular kernel (Debian's cloud kernel builds every virtio
 * driver as a module): the virtio-mmio transport microvm uses, block disks, the control
 * port, the network card, the entropy device, and the two file systems of the root
 * (erofs image, overlay). Their dependencies are added when the kernel is prepared.
 */
export const GUEST_MODULES: readonly string[] = ['virtio_mmio', 'virtio_blk', 'virtio_console', 'virtio_net', 'virtio_rng', 'erofs', 'overlay'];
