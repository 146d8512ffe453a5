import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';

/** The file-system calls the store makes itself; tests pass a fake. */
export type StoreFileSystem = Pick<typeof nodeFs, 'chmodSync' | 'closeSync' | 'existsSync' | 'mkdirSync' | 'openSync'>;

const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;
/** SQLite's side files in WAL mode; they hold committed rows too, so they are as private. */
const SIDE_FILE_SUFFIXES = ['-wal', '-shm'] as const;

/** True for SQLite's in-memory names, which have no file to protect. */
export function isMemoryPath(path: string): boolean {
  return path === ':memory:' || path === '';
}

/**
 * Creates the database file 0600 before SQLite opens it (and its directory 0700 if missing),
 * so there is no window in which another user could open it. An existing file is tightened
 * to 0600: it holds sandbox specs, which may carry secrets.
 */
export function prepareDatabaseFile(path: string, fs: StoreFileSystem = nodeFs): void {
  if (isMemoryPath(path)) return;
  const directory = dirname(path);
  // Only a directory we create is ours to restrict; an operator's existing one is left alone.
  if (!fs.existsSync(directory)) {
    fs.mkdirSync(directory, { recursive: true, mode: PRIVATE_DIR_MODE });
    fs.chmodSync(directory, PRIVATE_DIR_MODE);
  }
  // 'a' creates without truncating; the mode is masked by the umask, hence the chmod after.
  fs.closeSync(fs.openSync(path, 'a', PRIVATE_FILE_MODE));
  fs.chmodSync(path, PRIVATE_FILE_MODE);
}

/**
 * Tightens the WAL and shared-memory files to 0600. SQLite creates them with the database
 * file's mode already; this covers files left behind by an older, looser setup.
 */
export function restrictSideFiles(path: string, fs: StoreFileSystem = nodeFs): void {
  if (isMemoryPath(path)) return;
  for (const suffix of SIDE_FILE_SUFFIXES) {
    const sidePath = `${path}${suffix}`;
    if (fs.existsSync(sidePath)) fs.chmodSync(sidePath, PRIVATE_FILE_MODE);
  }
}
