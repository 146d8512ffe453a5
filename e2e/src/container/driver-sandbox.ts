// Driver-level helpers: a well-formed DriverSandbox, condition reads and bounded waits.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, isShellgateError } from '@shellgate/driver-sdk';
import type { DriverClient, DriverCondition, DriverResourceRequirements, DriverSandbox } from '@shellgate/driver-sdk';
import { SANDBOX_ID_LABEL, uniqueSandboxId, uniqueSandboxName } from '../docker/e2e-run.js';
import type { EngineUnderTest } from './engine-under-test.js';

export interface SandboxOptions {
  readonly image?: string;
  readonly command?: readonly string[];
  readonly resources?: Partial<DriverResourceRequirements>;
  readonly sandboxToken?: string;
}

/** A sandbox as the gateway would send it, with a unique id and name. */
export function newDriverSandbox(label: string, options: SandboxOptions = {}): DriverSandbox {
  return {
    id: uniqueSandboxId(label),
    name: uniqueSandboxName(label),
    namespace: '',
    workspace: '',
    status: undefined,
    spec: {
      logLevel: 'info',
      environment: { E2E_LABEL: label },
      template: {
        image: options.image ?? '',
        agentSocketPath: '',
        labels: {},
        environment: {},
        resources: options.resources === undefined ? undefined : { cpuRequest: '', cpuLimit: '', memoryRequest: '', memoryLimit: '', ...options.resources },
        platformConfig: undefined,
        driverConfig: undefined,
      },
      resourceRequirements: undefined,
      sandboxToken: options.sandboxToken ?? fakeSandboxToken(),
      command: [...(options.command ?? [])],
      tty: false,
    },
  };
}

/** A JWT-shaped secret that is easy to search for. */
export function fakeSandboxToken(): string {
  return `eyJhbGciOiJFZERTQSJ9.e2e-${randomBytes(12).toString('hex')}.sig-${randomBytes(8).toString('hex')}`;
}

export function findCondition(sandbox: DriverSandbox, type: string): DriverCondition | undefined {
  return sandbox.status?.conditions.find((condition) => condition.type === type);
}

export function isReady(sandbox: DriverSandbox): boolean {
  return findCondition(sandbox, 'Ready')?.status === 'True';
}

export function isSuspended(sandbox: DriverSandbox): boolean {
  return findCondition(sandbox, 'Suspended')?.status === 'True';
}

/** `Ready=False` with this reason. */
export function hasReadyReason(sandbox: DriverSandbox, reason: string): boolean {
  const ready = findCondition(sandbox, 'Ready');
  return ready?.status === 'False' && ready.reason === reason;
}

export function describeConditions(sandbox: DriverSandbox | undefined): string {
  return JSON.stringify(sandbox?.status?.conditions.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`) ?? null);
}

/** Polls GetSandbox until `predicate` holds; the error shows the last conditions seen. */
export async function waitForSandbox(
  client: DriverClient,
  sandboxId: string,
  what: string,
  predicate: (sandbox: DriverSandbox) => boolean,
  timeoutMs = 30_000,
): Promise<DriverSandbox> {
  const deadline = Date.now() + timeoutMs;
  let last: DriverSandbox | undefined;
  while (Date.now() < deadline) {
    last = await client.getSandbox(sandboxId);
    if (predicate(last)) return last;
    await sleep(100);
  }
  throw new Error(`sandbox ${sandboxId} did not become ${what} within ${timeoutMs} ms; last conditions: ${describeConditions(last)}`);
}

/** Resolves once GetSandbox answers NOT_FOUND for `sandboxId`. */
export async function waitForSandboxGone(client: DriverClient, sandboxId: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await client.getSandbox(sandboxId);
    } catch (error) {
      if (isShellgateError(error) && error.code === ErrorCode.NotFound) return;
      throw error;
    }
    await sleep(100);
  }
  throw new Error(`sandbox ${sandboxId} still answers GetSandbox ${timeoutMs} ms after DeleteSandbox`);
}

/** The one container labelled with this sandbox id on `engine`. */
export async function containerOf(engine: EngineUnderTest, sandboxId: string): Promise<string> {
  const ids = await engine.containersWithLabel(SANDBOX_ID_LABEL, sandboxId);
  if (ids.length !== 1) throw new Error(`expected one container labelled ${SANDBOX_ID_LABEL}=${sandboxId}, found ${ids.length}`);
  return ids[0]!;
}

/** Deletes every listed sandbox whose id carries this process's prefix; for after() hooks. */
export async function deleteSandboxes(client: DriverClient, sandboxIds: Iterable<string>): Promise<void> {
  await Promise.allSettled([...sandboxIds].map((id) => client.deleteSandbox(id)));
}
