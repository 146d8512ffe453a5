/** One entry of a newc cpio archive; paths are relative (`init`, `lib/modules`). */
export type CpioEntry =
  | { readonly type: 'directory'; readonly path: string; readonly mode: number }
  | { readonly type: 'file'; readonly path: string; readonly mode: number; readonly data: Uint8Array }
  | { readonly type: 'symlink'; readonly path: string; readonly target: string }
  | { readonly type: 'char-device'; readonly path: string; readonly mode: number; readonly major: number; readonly minor: number };

const NEWC_MAGIC = '070701';
const TRAILER = 'TRAILER!!!';
const FILE_TYPE_BITS = { directory: 0o040000, file: 0o100000, symlink: 0o120000, 'char-device': 0o020000 } as const;

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}

function padTo4(length: number): number {
  return (4 - (length % 4)) % 4;
}

interface RawEntry {
  readonly name: string;
  readonly mode: number;
  readonly data: Uint8Array;
  readonly rdevMajor: number;
  readonly rdevMinor: number;
}

function toRawEntry(entry: CpioEntry): RawEntry {
  const base = { name: entry.path, rdevMajor: 0, rdevMinor: 0 };
  switch (entry.type) {
    case 'directory':
      return { ...base, mode: FILE_TYPE_BITS.directory | entry.mode, data: new Uint8Array() };
    case 'file':
      return { ...base, mode: FILE_TYPE_BITS.file | entry.mode, data: entry.data };
    case 'symlink':
      return { ...base, mode: FILE_TYPE_BITS.symlink | 0o777, data: Buffer.from(entry.target) };
    case 'char-device':
      return { ...base, mode: FILE_TYPE_BITS['char-device'] | entry.mode, data: new Uint8Array(), rdevMajor: entry.major, rdevMinor: entry.minor };
  }
}

function encodeEntry(raw: RawEntry, inode: number): Buffer[] {
  const name = Buffer.from(`${raw.name}\0`);
  const fields = [inode, raw.mode, 0, 0, 1, 0, raw.data.length, 0, 0, raw.rdevMajor, raw.rdevMinor, name.length, 0];
  const header = Buffer.from(NEWC_MAGIC + fields.map(hex8).join(''), 'latin1');
  return [header, name, Buffer.alloc(padTo4(header.length + name.length)), Buffer.from(raw.data), Buffer.alloc(padTo4(raw.data.length))];
}

/**
 * A newc ("070701") cpio archive, the format the kernel unpacks as an initramfs and busybox
 * `cpio -i` reads: every entry owned by root with mtime 0, so the same inputs give the same
 * bytes (the archive is cached by its content hash).
 */
export function encodeCpioArchive(entries: readonly CpioEntry[]): Buffer {
  const chunks: Buffer[] = [];
  entries.forEach((entry, index) => chunks.push(...encodeEntry(toRawEntry(entry), index + 1)));
  chunks.push(...encodeEntry({ name: TRAILER, mode: 0, data: new Uint8Array(), rdevMajor: 0, rdevMinor: 0 }, 0));
  return Buffer.concat(chunks);
}
