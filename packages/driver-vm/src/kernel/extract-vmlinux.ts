import { gunzipSync } from 'node:zlib';

import { decodeLz4Legacy } from './lz4-legacy.js';

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
/** "HdrS" at 0x202: a bzImage with a real-mode header (boot protocol 2.00+). */
const HEADER_MAGIC_OFFSET = 0x202;
const HEADER_MAGIC = 0x53726448;
const SETUP_SECTS_OFFSET = 0x1f1;
const PAYLOAD_OFFSET_OFFSET = 0x248;
const PAYLOAD_LENGTH_OFFSET = 0x24c;
const SECTOR_BYTES = 512;

/** The kernel image is not something we can turn into a bootable vmlinux. */
export class KernelImageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelImageError';
  }
}

const COMPRESSIONS: readonly { readonly name: string; readonly magic: readonly number[] }[] = [
  { name: 'lz4', magic: [0x02, 0x21, 0x4c, 0x18] },
  { name: 'gzip', magic: [0x1f, 0x8b] },
  { name: 'xz', magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: 'zstd', magic: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: 'lzma', magic: [0x5d, 0x00, 0x00] },
];

function compressionOf(payload: Buffer): string {
  return COMPRESSIONS.find(({ magic }) => magic.every((byte, index) => payload[index] === byte))?.name ?? 'unknown';
}

/** The compressed kernel inside a bzImage, located by the boot protocol's payload fields. */
function payloadOf(bzImage: Buffer): Buffer {
  if (bzImage.length < PAYLOAD_LENGTH_OFFSET + 4 || bzImage.readUInt32LE(HEADER_MAGIC_OFFSET) !== HEADER_MAGIC) {
    throw new KernelImageError('not a bzImage (no "HdrS" boot header) and not an ELF vmlinux');
  }
  const setupSectors = bzImage[SETUP_SECTS_OFFSET] || 4;
  const start = (setupSectors + 1) * SECTOR_BYTES + bzImage.readUInt32LE(PAYLOAD_OFFSET_OFFSET);
  const length = bzImage.readUInt32LE(PAYLOAD_LENGTH_OFFSET);
  if (length < 8 || start + length > bzImage.length) throw new KernelImageError('the bzImage payload fields point outside the file');
  return bzImage.subarray(start, start + length);
}

/**
 * Turns a kernel image into the uncompressed ELF `vmlinux` QEMU boots through PVH
 * (`-machine microvm` needs it; a bzImage would take the slow real-mode path): an ELF is
 * returned as is; a bzImage's payload is decompressed (LZ4, as Debian builds it, or gzip;
 * the kernel build appends the uncompressed size as the payload's last four bytes).
 * @throws KernelImageError naming the compression when it is one we do not decode.
 */
export function extractVmlinux(image: Buffer): Buffer {
  if (image.subarray(0, 4).equals(ELF_MAGIC)) return image;
  const payload = payloadOf(image);
  const compression = compressionOf(payload);
  const expectedBytes = payload.readUInt32LE(payload.length - 4);
  let vmlinux: Buffer;
  switch (compression) {
    case 'lz4':
      vmlinux = decodeLz4Legacy(payload.subarray(0, payload.length - 4), expectedBytes);
      break;
    case 'gzip':
      vmlinux = gunzipSync(payload);
      break;
    default:
      throw new KernelImageError(`the kernel payload is ${compression}-compressed; only lz4 and gzip kernels are unpacked (CONFIG_KERNEL_LZ4 or CONFIG_KERNEL_GZIP)`);
  }
  if (!vmlinux.subarray(0, 4).equals(ELF_MAGIC)) throw new KernelImageError(`the ${compression} payload did not decompress to an ELF vmlinux`);
  return vmlinux;
}
