// The entrypoint of the images scripts/image.sh builds. A container driver in the image asks
// the host's engine to bind-mount each sandbox's token file and the supervisor runtime bundle
// into the sandbox, and the engine resolves a bind source on the host, not in this container.
// So both live in the state dir, which the operator mounts from the host at the same path
// (docs/packaging.md): this copies the image's bundle there once, points the drivers at it
// and at their state dirs under it (unless set), then runs the gateway.
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const RUNTIME = '/opt/shellgate/runtime';
const GATEWAY_MAIN = '/opt/shellgate/app/node_modules/@shellgate/gateway/dist/main.js';
const env = process.env;
const stateDir = env.SHELLGATE_STATE_DIR || '/var/lib/shellgate';
// Baked in by image.mjs: the bundle's fingerprint, and NAME=ENV_PREFIX of each container driver.
const fingerprint = env.SHELLGATE_IMAGE_RUNTIME_FINGERPRINT ?? '';
const containerDrivers = (env.SHELLGATE_IMAGE_CONTAINER_DRIVERS ?? '').split(',').filter((entry) => entry !== '');

if (containerDrivers.length > 0) {
  const runtimeDir = join(stateDir, 'supervisor-runtime', fingerprint);
  if (!existsSync(join(runtimeDir, 'manifest.json'))) {
    // Copied aside, then renamed: a gateway killed mid-copy leaves no half bundle under the name.
    const partial = `${runtimeDir}.partial-${process.pid}`;
    mkdirSync(join(stateDir, 'supervisor-runtime'), { recursive: true, mode: 0o755 });
    rmSync(partial, { recursive: true, force: true });
    cpSync(RUNTIME, partial, { recursive: true, verbatimSymlinks: true });
    rmSync(runtimeDir, { recursive: true, force: true });
    renameSync(partial, runtimeDir);
  }
  for (const entry of containerDrivers) {
    const [name, prefix] = entry.split('=');
    env[`${prefix}_SUPERVISOR_RUNTIME_DIR`] ||= runtimeDir;
    env[`${prefix}_STATE_DIR`] ||= join(stateDir, `driver-${name}`);
  }
}
await import(GATEWAY_MAIN);
