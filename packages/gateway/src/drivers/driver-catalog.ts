/** A driver that ships as its own npm package and is spawned from that package's `bin`. */
export interface BuiltinDriver {
  readonly name: string;
  readonly packageName: string;
  readonly binName: string;
}

function builtin(name: string): BuiltinDriver {
  return { name, packageName: `@shellgate/driver-${name}`, binName: `shellgate-driver-${name}` };
}

/**
 * Built-in drivers, in auto-detect order: the engines most machines have first, the
 * heaviest (VMs) last.
 */
export const BUILTIN_DRIVERS: readonly BuiltinDriver[] = Object.freeze([
  builtin('docker'),
  builtin('podman'),
  builtin('k8s'),
  builtin('vm'),
]);

export function findBuiltinDriver(name: string): BuiltinDriver | undefined {
  return BUILTIN_DRIVERS.find((driver) => driver.name === name);
}

/** The two ways an operator installs a driver package, for hints. */
export function installCommands(packageName: string): string {
  return `pnpm add ${packageName} (next to @shellgate/gateway) or npm install -g ${packageName}`;
}
