import { Metadata, credentials, status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import {
  CreateSandboxRequest,
  OpenShellClient,
  type GetGatewayInfoResponse,
  type GetSandboxLogsResponse,
  type Sandbox,
  type SandboxStreamEvent,
} from '@shellgate/api';

type Callback<Res> = (error: ServiceError | null, response: Res) => void;

/** The public API as promises, for tests. */
export class ApiClient {
  readonly raw: OpenShellClient;

  constructor(address: string) {
    this.raw = new OpenShellClient(address, credentials.createInsecure());
  }

  private call<Res>(invoke: (metadata: Metadata, callback: Callback<Res>) => void): Promise<Res> {
    return new Promise((resolve, reject) => invoke(new Metadata(), (error, response) => (error === null ? resolve(response) : reject(error))));
  }

  async create(request: Partial<CreateSandboxRequest>): Promise<Sandbox> {
    const response = await this.call<{ sandbox?: Sandbox }>((m, cb) => this.raw.createSandbox(CreateSandboxRequest.fromPartial(request), m, cb));
    return response.sandbox!;
  }

  async get(name: string, workspace = ''): Promise<Sandbox> {
    return (await this.call<{ sandbox?: Sandbox }>((m, cb) => this.raw.getSandbox({ name, workspace }, m, cb))).sandbox!;
  }

  async list(workspace = '', allWorkspaces = false): Promise<Sandbox[]> {
    return (await this.call<{ sandboxes: Sandbox[] }>((m, cb) =>
      this.raw.listSandboxes({ limit: 0, offset: 0, labelSelector: '', workspace, allWorkspaces }, m, cb))).sandboxes;
  }

  async delete(name: string, workspace = ''): Promise<boolean> {
    return (await this.call<{ deleted: boolean }>((m, cb) => this.raw.deleteSandbox({ name, workspace }, m, cb))).deleted;
  }

  async stop(name: string): Promise<Sandbox> {
    return (await this.call<{ sandbox?: Sandbox }>((m, cb) => this.raw.stopSandbox({ name, workspace: '' }, m, cb))).sandbox!;
  }

  async start(name: string): Promise<Sandbox> {
    return (await this.call<{ sandbox?: Sandbox }>((m, cb) => this.raw.startSandbox({ name, workspace: '' }, m, cb))).sandbox!;
  }

  /** GetSandboxLogs of a sandbox id: every held line (`lines` 0). */
  async logs(sandboxId: string): Promise<GetSandboxLogsResponse> {
    return this.call((metadata, callback) => this.raw.getSandboxLogs({ sandboxId, lines: 0, sinceMs: 0, sources: [], minLevel: '', workspace: '' }, metadata, callback));
  }

  async info(): Promise<GetGatewayInfoResponse> {
    return this.call<GetGatewayInfoResponse>((m, cb) => this.raw.getGatewayInfo({}, m, cb));
  }

  /** Polls GetSandbox until `predicate` holds; the error shows the last state seen. */
  async waitFor(name: string, predicate: (sandbox: Sandbox) => boolean, timeoutMs = 10_000): Promise<Sandbox> {
    const deadline = Date.now() + timeoutMs;
    let last: Sandbox | undefined;
    while (Date.now() < deadline) {
      last = await this.get(name);
      if (predicate(last)) return last;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`sandbox ${name} did not reach the expected state in ${timeoutMs} ms; last: ${JSON.stringify(last?.status)}`);
  }

  /** Collects WatchSandbox events until the stream ends or `count` arrived. */
  async watch(id: string, options: { followEvents?: boolean; stopOnTerminal?: boolean; count?: number; timeoutMs?: number } = {}): Promise<SandboxStreamEvent[]> {
    const stream = this.raw.watchSandbox({
      id,
      followStatus: true,
      followLogs: false,
      followEvents: options.followEvents ?? false,
      logTailLines: 0,
      eventTail: 50,
      stopOnTerminal: options.stopOnTerminal ?? false,
      logSinceMs: 0,
      logSources: [],
      logMinLevel: '',
    });
    const events: SandboxStreamEvent[] = [];
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.cancel();
        resolve(events);
      }, options.timeoutMs ?? 10_000);
      stream.on('data', (event: SandboxStreamEvent) => {
        events.push(event);
        if (options.count !== undefined && events.length >= options.count) {
          clearTimeout(timer);
          stream.cancel();
          resolve(events);
        }
      });
      stream.on('end', () => {
        clearTimeout(timer);
        resolve(events);
      });
      stream.on('error', (error: ServiceError) => {
        clearTimeout(timer);
        if (error.code === GrpcStatus.CANCELLED) resolve(events);
        else reject(error);
      });
    });
  }

  close(): void {
    this.raw.close();
  }
}
