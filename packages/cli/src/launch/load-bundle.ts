import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/** Where and what to load. */
export interface BundleSource {
  /** The CommonJS bundle (dist/shellgate.cjs). */
  readonly path: string;
  /**
   * A hash of the bundle's content, written in by the build; undefined disables the cache.
   * V8 checks a cache only against the source's length, so the key must name the content.
   */
  readonly contentId: string | undefined;
  /** A directory of our own for code caches. */
  readonly cacheDir: string;
}

/** A loaded bundle: its exports, and how to keep what V8 compiled for the next run. */
export interface LoadedBundle {
  readonly exports: unknown;
  /** Writes the code cache if this run had none that fit; call after the program ran, so it holds what ran. */
  saveCodeCache(): void;
}

/**
 * Runs a CommonJS bundle the way `require` would, but compiled from a V8 code cache when
 * one matches (Node 20 has no module compile cache of its own). Why: compiling the ~0.5 MB
 * bundle is the largest single cost of a CLI run (about a third of `exec NAME -- true`).
 * Every cache failure falls back to a plain compile; nothing here can fail a command.
 */
export function loadBundle(source: BundleSource): LoadedBundle {
  const cacheFile =
    source.contentId === undefined ? undefined : join(source.cacheDir, `${source.contentId}-${process.version}-${process.arch}.v8cache`);
  const cachedData = cacheFile === undefined ? undefined : readIfPresent(cacheFile);
  const code = readFileSync(source.path, 'utf8');
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, {
    filename: source.path,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const module = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as (...args: unknown[]) => void;
  wrapper(module.exports, createRequire(source.path), module, source.path, dirname(source.path));
  const isCacheMissing = cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true);
  return {
    exports: module.exports,
    saveCodeCache: () => {
      if (isCacheMissing) writeCache(source.cacheDir, cacheFile, script.createCachedData());
    },
  };
}

function readIfPresent(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Replaces every older cache (other builds, other Node versions) with this one, atomically. */
function writeCache(dir: string, file: string, data: Buffer): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) rmSync(join(dir, name), { force: true });
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, data, { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // A read-only or missing home only costs the next run its compile time.
  }
}
