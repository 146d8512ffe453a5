#!/usr/bin/env node
// Builds an OCI image of the gateway with exactly the given drivers, without any registry
// (issue 14): the base is this machine's Node and its shared libraries, assembled by
// @shellgate/supervisor's runtime bundle builder (shellgate-supervisor-bundle), plus a plain
// `npm install` of the gateway, CLI and driver tarballs; `docker import` loads it into the
// local engine. The runtime bundle doubles as the supervisor runtime the container drivers
// mount into sandboxes: scripts/image-entry.mjs (the entrypoint) copies it into the state dir,
// which the operator mounts from the host at the same path, for the host's engine to find.
// Usage: scripts/image.sh --drivers docker[,podman...] [--tag TAG] [--packages DIR]
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { npmInstall, packAll, readWorkspacePackages, run } from './package.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const RUNTIME = '/opt/shellgate/runtime';
const APP = '/opt/shellgate/app';
const STATE = '/var/lib/shellgate';
const ENTRY = '/opt/shellgate/image-entry.mjs';
const BUNDLE_BIN = join(ROOT, 'packages/supervisor/dist/bundle-main.js');
/** The drivers whose sandboxes bind-mount host paths, by their settings' env prefix. */
const CONTAINER_DRIVER_ENV = { docker: 'SHELLGATE_DOCKER', podman: 'SHELLGATE_PODMAN' };

/** `file`'s dynamic loader and libraries as absolute paths, from ldd (the bundle builder's source too). */
function sharedLibraries(file) {
  return execFileSync('ldd', [file], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /(?:=>\s*)?(\/\S+)\s+\(0x/.exec(line)?.[1])
    .filter((path) => path !== undefined);
}

/** Every native addon the install holds: their libraries must be in the image too. */
function findAddons(dir, found = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) findAddons(path, found);
    else if (entry.name.endsWith('.node') && path.includes('/build/Release/')) found.push(path);
  }
  return found;
}

async function assembleRootfs(rootfs, drivers, tarballDir) {
  const workspace = readWorkspacePackages();
  const unknown = drivers.filter((name) => !workspace.has(`@shellgate/driver-${name}`) || name === 'sdk');
  if (unknown.length > 0) throw new Error(`no driver package for ${unknown.join(', ')} in packages/`);
  const tarballs = await packAll(workspace, tarballDir);
  const app = join(rootfs, APP);
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'shellgate-image', private: true }, null, 2)}\n`);
  await npmInstall(app, ['@shellgate/gateway', '@shellgate/cli', ...drivers.map((name) => `@shellgate/driver-${name}`)], { workspace, tarballs });

  await run(process.execPath, [BUNDLE_BIN, '--out', join(rootfs, RUNTIME)]);
  copyFileSync(join(ROOT, 'scripts/image-entry.mjs'), join(rootfs, ENTRY));
  // The bundle runs node through its own loader; in the image node runs directly, so the
  // loader also sits where node's ELF header names it and LD_LIBRARY_PATH finds the rest.
  const libDir = join(rootfs, RUNTIME, 'lib');
  const [loader] = sharedLibraries(process.execPath).filter((path) => /ld-linux|ld-musl/.test(path));
  if (loader === undefined) throw new Error(`ldd names no dynamic loader for ${process.execPath}`);
  mkdirSync(join(rootfs, dirname(loader)), { recursive: true });
  copyFileSync(join(libDir, loader.split('/').pop()), join(rootfs, loader));
  chmodSync(join(rootfs, loader), 0o755);
  for (const addon of findAddons(join(app, 'node_modules'))) {
    for (const library of sharedLibraries(addon)) {
      const target = join(libDir, library.split('/').pop());
      if (library !== loader && !existsSync(target)) copyFileSync(library, target);
    }
  }
  for (const dir of ['tmp', STATE.slice(1), 'root', 'etc']) mkdirSync(join(rootfs, dir), { recursive: true });
  chmodSync(join(rootfs, 'tmp'), 0o1777);
  // os.userInfo() and homedir() read the passwd database.
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/sbin/nologin\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\n');
}

async function main() {
  const { values } = parseArgs({ options: { drivers: { type: 'string' }, tag: { type: 'string' }, packages: { type: 'string' } } });
  const drivers = (values.drivers ?? '').split(',').filter((name) => name !== '');
  if (drivers.length === 0) throw new Error('--drivers NAME[,NAME...] is required (e.g. --drivers docker)');
  const tag = values.tag ?? `shellgate-local/gateway:${drivers.join('-')}`;
  const work = mkdtempSync(join(tmpdir(), 'shellgate-image-'));
  try {
    const rootfs = join(work, 'rootfs');
    await assembleRootfs(rootfs, drivers, resolve(values.packages ?? join(ROOT, '.packages')));
    // The name the entrypoint gives its copy: a new supervisor or Node is a new directory.
    const fingerprint = (await run(process.execPath, [BUNDLE_BIN, '--fingerprint'])).trim().split('\n').pop();
    const containerDrivers = drivers.filter((name) => name in CONTAINER_DRIVER_ENV).map((name) => `${name}=${CONTAINER_DRIVER_ENV[name]}`);
    const changes = [
      `ENV PATH=${RUNTIME}/bin:${APP}/node_modules/.bin`,
      `ENV LD_LIBRARY_PATH=${RUNTIME}/lib`,
      'ENV HOME=/root',
      `ENV SHELLGATE_STATE_DIR=${STATE}`,
      'ENV SHELLGATE_LISTEN=0.0.0.0:17670',
      // Read by the entrypoint: which bundle this is, and which drivers mount it from the state dir.
      `ENV SHELLGATE_IMAGE_RUNTIME_FINGERPRINT=${fingerprint}`,
      `ENV SHELLGATE_IMAGE_CONTAINER_DRIVERS=${containerDrivers.join(',')}`,
      'EXPOSE 17670',
      `ENTRYPOINT ["${RUNTIME}/bin/node", "${ENTRY}"]`,
    ];
    const tar = join(work, 'rootfs.tar');
    execFileSync('tar', ['-C', rootfs, '--numeric-owner', '--owner=0', '--group=0', '-cf', tar, '.']);
    const id = execFileSync('docker', ['import', ...changes.flatMap((change) => ['--change', change]), tar, tag], { encoding: 'utf8' }).trim();
    console.log(`image: ${tag} (${id}) holds the gateway, the CLI and ${drivers.map((name) => `@shellgate/driver-${name}`).join(', ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`image: ${error.message}`);
  process.exit(1);
});
