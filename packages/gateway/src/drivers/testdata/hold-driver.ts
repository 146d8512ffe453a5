/**
 * Stands in for a gateway in the "kill -9 of the gateway" test: starts one DriverProcess,
 * prints the driver's pid on stdout, then waits to be killed.
 */
import { silentLogger } from '@shellgate/driver-sdk';
import { DriverProcess } from '../driver-process.js';

const [script = '', runRoot = ''] = process.argv.slice(2);
const driver = new DriverProcess({
  name: 'held',
  command: [process.execPath, script],
  driverConfig: { mode: 'ok' },
  logLevel: 'info',
  logger: silentLogger,
  readyTimeoutMs: 10_000,
  shutdownGraceMs: 1_000,
  runRoot,
});
await driver.start();
await driver.waitReady();
process.stdout.write(`${driver.pid}\n`);
setInterval(() => undefined, 60_000);
