import { FakeDriver, parseFakeDriverScript } from '../../fake-driver/index.js';
import type { ComputeDriverImpl } from '../../server/index.js';

/**
 * The fake driver (scripted by `script`, the fake driver's config table), with the RPCs
 * `replace` returns swapped in: a driver with a contract bug, or with upstream's habits.
 */
export async function createFakeDriverWith(
  replace: (fake: FakeDriver) => Partial<ComputeDriverImpl>,
  script: Readonly<Record<string, unknown>> = {},
): Promise<ComputeDriverImpl> {
  const fake = await FakeDriver.create({ script: parseFakeDriverScript(script) });
  return {
    getCapabilities: (request, ctx) => fake.getCapabilities(request, ctx),
    getGatewayListenerRequirements: (request, ctx) => fake.getGatewayListenerRequirements(request, ctx),
    validateSandboxCreate: (request, ctx) => fake.validateSandboxCreate(request, ctx),
    createSandbox: (request, ctx) => fake.createSandbox(request, ctx),
    getSandbox: (request, ctx) => fake.getSandbox(request, ctx),
    listSandboxes: (request, ctx) => fake.listSandboxes(request, ctx),
    stopSandbox: (request, ctx) => fake.stopSandbox(request, ctx),
    startSandbox: (request, ctx) => fake.startSandbox(request, ctx),
    deleteSandbox: (request, ctx) => fake.deleteSandbox(request, ctx),
    watchSandboxes: (request, ctx) => fake.watchSandboxes(request, ctx),
    ensureWorkspace: (request, ctx) => fake.ensureWorkspace(request, ctx),
    deleteWorkspace: (request, ctx) => fake.deleteWorkspace(request, ctx),
    close: () => fake.close(),
    ...replace(fake),
  };
}
