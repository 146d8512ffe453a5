import Docker from 'dockerode';

import type {
  ContainerCreateSpec,
  ContainerEvent,
  ContainerInfo,
  ContainerState,
  DeviceRequestSpec,
  DockerEngine,
  EngineInfo,
  NetworkCreateSpec,
  NetworkInfo,
  PullProgress,
} from './docker-engine.js';
import type { DockerHost } from './docker-host.js';
import { readJsonLines } from './json-lines.js';

/** HTTP 304 from start/stop: the container already is in the asked state. */
const NOT_MODIFIED = 304;
const NOT_FOUND = 404;

function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}

/** Runs `call`, answering `fallback` when the engine says 404 (the object does not exist). */
async function unlessNotFound<T, F>(call: () => Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await call();
  } catch (error) {
    if (statusCodeOf(error) === NOT_FOUND) return fallback;
    throw error;
  }
}

async function unlessNotModified(call: () => Promise<unknown>): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (statusCodeOf(error) !== NOT_MODIFIED) throw error;
  }
}

function toDeviceRequest(request: DeviceRequestSpec): Docker.DeviceRequest {
  if (request.kind === 'gpu') return { Driver: '', Count: request.count, Capabilities: [['gpu']] };
  return { Driver: 'cdi', DeviceIDs: [...request.deviceIds] };
}

function toCreateOptions(spec: ContainerCreateSpec): Docker.ContainerCreateOptions {
  return {
    name: spec.name,
    Image: spec.imageId,
    ...(spec.command.length > 0 ? { Cmd: [...spec.command] } : {}),
    Env: [...spec.env],
    Labels: { ...spec.labels },
    Tty: spec.isTty,
    OpenStdin: spec.isTty,
    StopTimeout: spec.stopTimeoutSeconds,
    HostConfig: {
      RestartPolicy: { Name: 'no' },
      NetworkMode: spec.networkName,
      ExtraHosts: [...spec.extraHosts],
      Mounts: spec.mounts.map((mount) => ({
        Type: mount.type,
        Target: mount.target,
        ReadOnly: mount.isReadOnly,
        Source: mount.source ?? '',
      })),
      ...(spec.nanoCpus > 0 ? { NanoCpus: spec.nanoCpus } : {}),
      ...(spec.memoryBytes > 0 ? { Memory: spec.memoryBytes } : {}),
      PidsLimit: spec.pidsLimit,
      ...(spec.deviceRequests.length > 0 ? { DeviceRequests: spec.deviceRequests.map(toDeviceRequest) } : {}),
    },
  };
}

function toContainerInfo(inspect: Docker.ContainerInspectInfo): ContainerInfo {
  return {
    id: inspect.Id,
    name: inspect.Name.replace(/^\//, ''),
    labels: inspect.Config.Labels ?? {},
    state: inspect.State.Status as ContainerState,
    exitCode: inspect.State.ExitCode,
    isOomKilled: inspect.State.OOMKilled,
    error: inspect.State.Error,
  };
}

function toNetworkInfo(inspect: Docker.NetworkInspectInfo): NetworkInfo {
  return { id: inspect.Id, name: inspect.Name, gatewayIp: inspect.IPAM?.Config?.find((c) => c.Gateway)?.Gateway };
}

function readString(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

function toContainerEvent(raw: Record<string, unknown>): ContainerEvent | undefined {
  const actor = raw['Actor'] as { ID?: unknown; Attributes?: Record<string, string> } | undefined;
  const action = readString(raw, 'Action') ?? readString(raw, 'status');
  const containerId = typeof actor?.ID === 'string' ? actor.ID : readString(raw, 'id');
  if (action === undefined || containerId === undefined) return undefined;
  const attributes = actor?.Attributes ?? {};
  const exitCode = attributes['exitCode'] === undefined ? undefined : Number(attributes['exitCode']);
  const timeNano = raw['timeNano'];
  return {
    containerId,
    // "exec_start: sh -c ..." and "health_status: healthy" carry detail after a colon.
    action: action.split(':')[0] ?? action,
    labels: attributes,
    ...(exitCode === undefined || Number.isNaN(exitCode) ? {} : { exitCode }),
    timeMs: typeof timeNano === 'number' ? Math.floor(timeNano / 1e6) : Date.now(),
  };
}

/** Builds the dockerode client for a resolved Docker host. */
function toDockerodeOptions(host: DockerHost): Docker.DockerOptions {
  if (host.kind === 'unix') return { socketPath: host.socketPath };
  return { host: host.hostname, port: host.port, protocol: host.protocol };
}

/** The {@link DockerEngine} that talks to dockerd through dockerode; the only dockerode user. */
export class DockerodeEngine implements DockerEngine {
  readonly endpoint: string;
  readonly #docker: Docker;

  constructor(host: DockerHost) {
    this.endpoint = host.endpoint;
    this.#docker = new Docker(toDockerodeOptions(host));
  }

  async ping(signal: AbortSignal): Promise<void> {
    // dockerode honours abortSignal here; its typings do not declare it.
    await (this.#docker.ping as (options: { abortSignal: AbortSignal }) => Promise<unknown>).call(this.#docker, { abortSignal: signal });
  }

  async info(signal: AbortSignal): Promise<EngineInfo> {
    const info = (await (this.#docker.info as (options: { abortSignal: AbortSignal }) => Promise<unknown>).call(this.#docker, {
      abortSignal: signal,
    })) as Record<string, unknown>;
    const runtimes = info['Runtimes'];
    const cdiSpecDirs = info['CDISpecDirs'];
    return {
      serverVersion: readString(info, 'ServerVersion') ?? '',
      runtimes: typeof runtimes === 'object' && runtimes !== null ? Object.keys(runtimes) : [],
      cdiSpecDirs: Array.isArray(cdiSpecDirs) ? cdiSpecDirs.filter((dir): dir is string => typeof dir === 'string') : [],
    };
  }

  async inspectImageId(reference: string, signal: AbortSignal): Promise<string | undefined> {
    // Image and network inspect take no abortSignal in dockerode 4 (its options become the query).
    signal.throwIfAborted();
    return unlessNotFound(async () => (await this.#docker.getImage(reference).inspect()).Id, undefined);
  }

  async pullImage(reference: string, onProgress: (progress: PullProgress) => void, signal: AbortSignal): Promise<void> {
    const stream = (await this.#docker.pull(reference, { abortSignal: signal })) as NodeJS.ReadableStream & AsyncIterable<unknown>;
    for await (const line of readJsonLines(stream)) {
      const failure = readString(line, 'error');
      if (failure !== undefined) throw new Error(failure);
      const status = readString(line, 'status');
      if (status === undefined) continue;
      const layerId = readString(line, 'id');
      const detail = readString(line, 'progress');
      onProgress({ status, ...(layerId === undefined ? {} : { layerId }), ...(detail === undefined ? {} : { detail }) });
    }
  }

  async listContainerIds(labelFilters: readonly string[], signal: AbortSignal): Promise<string[]> {
    const containers = await this.#docker.listContainers({
      all: true,
      filters: { label: [...labelFilters] },
      abortSignal: signal,
    });
    return containers.map((container) => container.Id);
  }

  async inspectContainer(id: string, signal: AbortSignal): Promise<ContainerInfo | undefined> {
    return unlessNotFound(async () => toContainerInfo(await this.#docker.getContainer(id).inspect({ abortSignal: signal })), undefined);
  }

  async createContainer(spec: ContainerCreateSpec, signal: AbortSignal): Promise<string> {
    const container = await this.#docker.createContainer({ ...toCreateOptions(spec), abortSignal: signal });
    return container.id;
  }

  async startContainer(id: string, signal: AbortSignal): Promise<void> {
    await unlessNotModified(() => this.#docker.getContainer(id).start({ abortSignal: signal }));
  }

  async stopContainer(id: string, timeoutSeconds: number, signal: AbortSignal): Promise<void> {
    await unlessNotModified(() => this.#docker.getContainer(id).stop({ t: timeoutSeconds, abortSignal: signal }));
  }

  async removeContainer(id: string, signal: AbortSignal): Promise<boolean> {
    return unlessNotFound(async () => {
      await this.#docker.getContainer(id).remove({ force: true, v: true, abortSignal: signal });
      return true;
    }, false);
  }

  async inspectNetwork(name: string, signal: AbortSignal): Promise<NetworkInfo | undefined> {
    signal.throwIfAborted();
    return unlessNotFound(async () => toNetworkInfo((await this.#docker.getNetwork(name).inspect())), undefined);
  }

  async createNetwork(spec: NetworkCreateSpec, signal: AbortSignal): Promise<NetworkInfo> {
    const network = await this.#docker.createNetwork({
      Name: spec.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { ...spec.labels },
      abortSignal: signal,
    });
    return toNetworkInfo((await network.inspect()));
  }

  async openContainerEvents(labelFilters: readonly string[], signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    const stream = (await this.#docker.getEvents({
      filters: { type: ['container'], label: [...labelFilters] },
      abortSignal: signal,
    })) as NodeJS.ReadableStream & AsyncIterable<unknown> & { destroy?: () => void };
    return readContainerEvents(stream, signal);
  }
}

async function* readContainerEvents(
  stream: AsyncIterable<unknown> & { destroy?: () => void },
  signal: AbortSignal,
): AsyncGenerator<ContainerEvent> {
  const onAbort = (): void => stream.destroy?.();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const raw of readJsonLines(stream)) {
      const event = toContainerEvent(raw);
      if (event !== undefined) yield event;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    stream.destroy?.();
  }
}
