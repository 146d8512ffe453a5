import { Sandbox } from '@shellgate/api';

/**
 * Most sandboxes the cache holds (about 2 KiB of heap each). Well above the 1,000 that issue 3
 * benchmarks, and a bound on memory for larger fleets: beyond it, the oldest entries go and
 * are decoded again when listed.
 */
export const MAX_CACHED_SANDBOXES = 5_000;

interface CachedSandbox {
  readonly resourceVersion: number;
  readonly sandbox: Sandbox;
}

/**
 * Decoded sandbox objects by id, each valid for one resource_version. Protobuf decode was most
 * of the cost of listing 1,000 sandboxes (bench/src/gateway-api.ts); a copy of a decoded
 * object costs a seventh of a decode. Sound because every write bumps the version a hit must
 * match and every read fetches the row's current version first: with SQLite the gateway is
 * the only writer (its table forgets the id on each write); with Postgres another replica's
 * write shows up as a newer version, and its notification makes the store forget the id.
 */
export class SandboxObjectCache {
  private readonly entries = new Map<string, CachedSandbox>();

  constructor(private readonly maxEntries: number = MAX_CACHED_SANDBOXES) {}

  /** A fresh copy of the sandbox stored at `resourceVersion`, or undefined on a miss. */
  get(id: string, resourceVersion: number): Sandbox | undefined {
    const entry = this.entries.get(id);
    return entry?.resourceVersion === resourceVersion ? toSandboxCopy(entry.sandbox) : undefined;
  }

  /**
   * Adopts `sandbox` as the object stored at `resourceVersion`. The cache owns it from now on:
   * the caller must hand out copies, never `sandbox` itself, and must not change it.
   */
  adopt(id: string, resourceVersion: number, sandbox: Sandbox): void {
    this.entries.delete(id);
    if (this.entries.size >= this.maxEntries) this.evictOldest();
    this.entries.set(id, { resourceVersion, sandbox });
  }

  forget(id: string): void {
    this.entries.delete(id);
  }

  get size(): number {
    return this.entries.size;
  }

  private evictOldest(): void {
    const oldest = this.entries.keys().next();
    if (oldest.done !== true) this.entries.delete(oldest.value);
  }
}

/**
 * A deep copy. `fromPartial` copies every message, map and list, but shares the two
 * Struct-typed fields (`template.resources`, `template.driver_config`), so those are copied too.
 */
export function toSandboxCopy(sandbox: Sandbox): Sandbox {
  const copy = Sandbox.fromPartial(sandbox);
  const template = copy.spec?.template;
  if (template !== undefined) {
    template.resources = toJsonCopy(template.resources);
    template.driverConfig = toJsonCopy(template.driverConfig);
  }
  return copy;
}

/** A deep copy of a JSON-shaped value (what a protobuf Struct decodes to). */
function toJsonCopy<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item: unknown) => toJsonCopy(item)) as T;
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = toJsonCopy(item);
  return copy as T;
}
