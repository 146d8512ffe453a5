#!/usr/bin/env node
import { defineConfig, runDriverMain } from '../../index.js';
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
  },
});

await runDriverMain({
  name: 'shellgate-driver-memory',
  version: '1.0.0',
  description: 'an in-memory example driver',
  config,
  createDriver: (settings, logger) => createMemoryDriver({ startDelayMs: settings.start_delay_ms, logger }),
});
