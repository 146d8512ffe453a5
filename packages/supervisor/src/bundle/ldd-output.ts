import { basename } from 'node:path';

/** A shared library a binary needs, as ldd resolved it. */
export interface SharedLibrary {
  /** The name the binary asks for (its DT_NEEDED / soname), e.g. `libstdc++.so.6`. */
  readonly name: string;
  /** Where the host resolved it. */
  readonly path: string;
}

export interface LddResult {
  readonly libraries: readonly SharedLibrary[];
  /** The dynamic loader (`/lib64/ld-linux-x86-64.so.2`), when the binary names one. */
  readonly loader: SharedLibrary | undefined;
  /** Libraries ldd could not find: the bundle would not start. */
  readonly missing: readonly string[];
}

/**
 * Reads `ldd` output (glibc and musl formats):
 * `libstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x...)`, the loader as
 * `/lib64/ld-linux-x86-64.so.2 (0x...)`, vDSO lines without a file, and `=> not found`.
 */
export function parseLddOutput(output: string): LddResult {
  const libraries: SharedLibrary[] = [];
  const missing: string[] = [];
  let loader: SharedLibrary | undefined;
  for (const rawLine of output.split('\n')) {
    const line = rawLine.trim();
    const mapped = /^(\S+)\s+=>\s+(.*?)(?:\s+\(0x[0-9a-f]+\))?$/.exec(line);
    if (mapped !== null) {
      const [, name = '', target = ''] = mapped;
      if (target === 'not found') missing.push(name);
      else if (target.startsWith('/')) libraries.push({ name, path: target });
      continue;
    }
    const bare = /^(\/\S+)\s+\(0x[0-9a-f]+\)$/.exec(line);
    if (bare?.[1] !== undefined) {
      const name = basename(bare[1]);
      if (name.startsWith('ld-')) loader = { name, path: bare[1] };
      else libraries.push({ name, path: bare[1] });
    }
  }
  return { libraries: libraries.filter((library) => library.name !== loader?.name), loader, missing };
}
