/** A module `/init` must load that the kernel package does not have. */
export class MissingModuleError extends Error {
  constructor(readonly moduleName: string, neededBy: string | undefined) {
    super(`kernel module ${moduleName}${neededBy === undefined ? '' : ` (needed by ${neededBy})`} is not in the kernel package`);
    this.name = 'MissingModuleError';
  }
}

/** Module names compare with `-` and `_` as the same character, as modprobe does. */
export function toModuleName(fileOrName: string): string {
  return fileOrName.replace(/\.ko$/, '').replaceAll('-', '_');
}

const DEPENDS_FIELD = Buffer.from('\0depends=');

/**
 * The `depends=` field of a module's `.modinfo` section (what `modinfo -F depends` prints),
 * found by its NUL-separated `key=value` layout without parsing the ELF.
 */
export function readModuleDependencies(module: Buffer): string[] {
  const start = module.indexOf(DEPENDS_FIELD);
  if (start < 0) return [];
  const valueStart = start + DEPENDS_FIELD.length;
  const end = module.indexOf(0, valueStart);
  const value = module.toString('latin1', valueStart, end < 0 ? module.length : end);
  return value.split(',').filter((name) => name !== '').map(toModuleName);
}

/**
 * The load order for `wanted` modules and everything they depend on: each module after its
 * dependencies, as `modprobe` would load them. Modules the kernel has built in need no file
 * and are skipped.
 * @param dependenciesOf a module's dependencies (from {@link readModuleDependencies}).
 * @throws MissingModuleError for a module that is neither available nor built in.
 */
export function resolveModuleOrder(
  wanted: readonly string[],
  available: ReadonlySet<string>,
  builtIn: ReadonlySet<string>,
  dependenciesOf: (name: string) => readonly string[],
): string[] {
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (name: string, neededBy: string | undefined): void => {
    if (order.includes(name) || visiting.has(name) || builtIn.has(name)) return;
    if (!available.has(name)) throw new MissingModuleError(name, neededBy);
    visiting.add(name);
    for (const dependency of dependenciesOf(name)) visit(dependency, name);
    visiting.delete(name);
    order.push(name);
  };
  for (const name of wanted.map(toModuleName)) visit(name, undefined);
  return order;
}
