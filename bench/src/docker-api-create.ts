// CreateSandbox over gRPC, then GetSandbox until Ready: the gateway and driver cost of a
// create without the CLI process around it, to split the CLI figure in container-create.ts.
import { setTimeout as sleep } from 'node:timers/promises';

import { Metadata, credentials } from '@grpc/grpc-js';
import type { ServiceError } from '@grpc/grpc-js';
import { CreateSandboxRequest, OpenShellClient, SandboxPhase } from '@shellgate/api';
import type { Sandbox } from '@shellgate/api';

import { elapsedMs } from './report.js';

const POLL_MS = 5;
const READY_TIMEOUT_MS = 120_000;

type Callback<Res> = (error: ServiceError | null, response: Res) => void;

/** Creates sandboxes through the public API and times them to phase Ready. */
export class ApiCreateTimer {
  private readonly client: OpenShellClient;

  constructor(address: string) {
    this.client = new OpenShellClient(address, credentials.createInsecure());
  }

  private call<Res>(invoke: (metadata: Metadata, callback: Callback<Res>) => void): Promise<Res> {
    return new Promise((resolve, reject) => invoke(new Metadata(), (error, response) => (error === null ? resolve(response) : reject(error))));
  }

  private async get(name: string): Promise<Sandbox | undefined> {
    return (await this.call<{ sandbox?: Sandbox }>((m, cb) => this.client.getSandbox({ name, workspace: '' }, m, cb))).sandbox;
  }

  /** ms from CreateSandbox until GetSandbox answers Ready. */
  async timeCreate(name: string, command: readonly string[]): Promise<number> {
    const startNs = process.hrtime.bigint();
    const request = CreateSandboxRequest.fromPartial({ name, spec: { command: [...command] } });
    await this.call((m, cb) => this.client.createSandbox(request, m, cb));
    while (elapsedMs(startNs) < READY_TIMEOUT_MS) {
      const phase = (await this.get(name))?.status?.phase;
      if (phase === SandboxPhase.SANDBOX_PHASE_READY) return elapsedMs(startNs);
      if (phase === SandboxPhase.SANDBOX_PHASE_ERROR) throw new Error(`sandbox ${name} went to Error`);
      await sleep(POLL_MS);
    }
    throw new Error(`sandbox ${name} not Ready within ${READY_TIMEOUT_MS} ms`);
  }

  close(): void {
    this.client.close();
  }
}
