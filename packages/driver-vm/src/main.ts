#!/usr/bin/env node
// `shellgate-driver-vm prepare ...` fetches the guest kernel and builds the caches; anything
// else serves the driver.
const argv = process.argv.slice(2);
if (argv[0] === 'prepare') {
  const { runPrepareMain } = await import('./prepare/run-prepare-main.js');
  await runPrepareMain(argv.slice(1), process.env);
} else {
  const { runVmDriverMain } = await import('./run-vm-driver-main.js');
  await runVmDriverMain(argv);
}
