#!/usr/bin/env node
import { runDriverMain } from '../server/index.js';
import { FakeDriver } from './fake-driver.js';
import { fakeDriverConfig, toFakeDriverScript } from './fake-driver-config.js';
import { FAKE_DRIVER_DEFAULTS } from './fake-driver-script.js';

await runDriverMain({
  name: 'shellgate-fake-driver',
  version: FAKE_DRIVER_DEFAULTS.driverVersion,
  description: 'A scriptable in-memory compute driver for gateway tests and driver authors.',
  config: fakeDriverConfig,
  createDriver: (config, logger) => FakeDriver.create({ script: toFakeDriverScript(config), logger }),
});
