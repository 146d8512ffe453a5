#!/usr/bin/env node
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundle } from './launch/load-bundle.js';
import type { runProcess } from './process-main.js';

/** Set by scripts/bundle-bin.mjs to a hash of dist/shellgate.cjs; absent when this file runs unbundled. */
declare const __SHELLGATE_BUNDLE_ID__: string | undefined;

// The entry of the `shellgate` binary: a small launcher (dist/main.js) that runs the CLI from
// the bundle beside it (dist/shellgate.cjs, built from process-main.ts with its dependencies)
// through a V8 code cache under ~/.cache/shellgate. See scripts/bundle-bin.mjs.
const bundle = loadBundle({
  path: fileURLToPath(new URL('./shellgate.cjs', import.meta.url)),
  contentId: typeof __SHELLGATE_BUNDLE_ID__ === 'string' ? __SHELLGATE_BUNDLE_ID__ : undefined,
  cacheDir: join(homedir(), '.cache', 'shellgate', 'v8-code-cache'),
});
await (bundle.exports as { runProcess: typeof runProcess }).runProcess();
bundle.saveCodeCache();
