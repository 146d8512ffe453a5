import { randomBytes, randomUUID } from 'node:crypto';

import type { DriverSandbox, DriverSandboxSpec, DriverSandboxTemplate } from '../gen/compute_driver.js';

/** The parts of a sandbox a test cares about; everything else gets a valid default. */
export type TestSandboxInit = Partial<Omit<DriverSandbox, 'spec'>> & {
  readonly spec?: Partial<Omit<DriverSandboxSpec, 'template'>> & {
    readonly template?: Partial<DriverSandboxTemplate>;
  };
};

export interface BuildTestSandboxOptions {
  /** Image used when the init names none; the fake gateway passes the driver's `default_image`. */
  readonly defaultImage?: string;
}

let sequence = 0;

/**
 * A complete, valid `DriverSandbox` as the gateway would send to CreateSandbox: a unique id,
 * a unique routable name (≤ 19 chars), a fake `sandbox_token` and empty defaults, with the
 * fields of `init` laid over them (spec and template are merged one level deep). No RPC.
 */
export function buildTestSandbox(init: TestSandboxInit = {}, options: BuildTestSandboxOptions = {}): DriverSandbox {
  sequence += 1;
  // "t" + counter + random suffix: unique across parallel test files, and a valid DNS label.
  const name = `t${sequence}-${randomBytes(4).toString('hex')}`.slice(0, 19);
  const template: DriverSandboxTemplate = {
    image: options.defaultImage === undefined || options.defaultImage === '' ? 'alpine:3' : options.defaultImage,
    agentSocketPath: '',
    labels: {},
    environment: {},
    resources: undefined,
    platformConfig: undefined,
    driverConfig: undefined,
    ...init.spec?.template,
  };
  const spec: DriverSandboxSpec = {
    logLevel: 'info',
    environment: {},
    resourceRequirements: undefined,
    sandboxToken: `fake-token-${randomBytes(16).toString('hex')}`,
    command: [],
    tty: false,
    ...init.spec,
    template,
  };
  return {
    id: `sbx-${randomUUID()}`,
    name,
    namespace: 'default',
    status: undefined,
    workspace: '',
    ...init,
    spec,
  };
}
