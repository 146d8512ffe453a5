#!/usr/bin/env node
import { homedir } from 'node:os';

import { defineConfig, resolveDriverStateDir, runDriverMain } from '../../index.js';
import { createMemoryDriver } from './memory-driver.js';

const config = defineConfig({
  keys: {
    start_delay_ms: {
      type: 'integer',
      default: 200,
      min: 0,
      env: 'MEMORY_DRIVER_START_DELAY_MS',
      flag: '--start-delay-ms',
      description: 'how long a new sandbox stays Provisioning, in ms',
    },
    state_dir: {
      type: 'string',
      env: 'MEMORY_DRIVER_STATE_DIR',
      flag: '--state-dir',
      description: 'where token files are kept (default: the SDK\'s per-driver state dir, e.g. ~/.local/state/shellgate/driver-memory)',
    },
  },
});

await runDriverMain({
  name: 'shellgate-driver-memory',
  version: '1.0.0',
  description: 'an in-memory example driver',
  config,
  createDriver: (settings, logger) => {
    const stateDir = resolveDriverStateDir({ driverDirName: 'driver-memory', configured: settings.state_dir, env: process.env, uid: process.getuid?.() ?? -1, homeDir: homedir() });
    return createMemoryDriver({ startDelayMs: settings.start_delay_ms, stateDir, logger });
  },
});
