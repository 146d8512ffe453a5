import type {
  ContainerCreateSpec,
  ContainerEvent,
  ContainerInfo,
  ContainerState,
  DeviceRequestSpec,
  DockerEngine,
  EngineInfo,
  ImageInfo,
  NetworkCreateSpec,
  NetworkInfo,
  PullProgress,
} from './docker-engine.js';
import type { DockerHost } from './docker-host.js';
import { DockerHttpClient, toFiltersQuery } from './docker-http.js';
import { readJsonLines } from './json-lines.js';

const NOT_FOUND = 404;

type JsonRecord = Record<string, unknown>;

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

function asRecord(value: unknown): JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : {};
}

function readString(record: JsonRecord, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : undefined;
}

function readStrings(record: JsonRecord, key: string): string[] {
  const value = record[key];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function readLabels(record: JsonRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(asRecord(record['Labels'])).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Image and network names go in the path; slashes, colons and @ are part of them. */
function encodeName(name: string): string {
  return encodeURIComponent(name).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

function toDeviceRequest(request: DeviceRequestSpec): JsonRecord {
  if (request.kind === 'gpu') return { Driver: '', Count: request.count, Capabilities: [['gpu']] };
  return { Driver: 'cdi', DeviceIDs: [...request.deviceIds] };
}

function toCreateBody(spec: ContainerCreateSpec): JsonRecord {
  return {
    Image: spec.imageId,
    ...(spec.entrypoint.length > 0 ? { Entrypoint: [...spec.entrypoint] } : {}),
    ...(spec.user !== '' ? { User: spec.user } : {}),
    ...(spec.command.length > 0 ? { Cmd: [...spec.command] } : {}),
    Env: [...spec.env],
    Labels: { ...spec.labels },
    Tty: spec.isTty,
    OpenStdin: spec.isTty,
    StopTimeout: spec.stopTimeoutSeconds,
    HostConfig: {
      RestartPolicy: { Name: 'no' },
      ...(spec.hasInit ? { Init: true } : {}),
      NetworkMode: spec.networkName,
      ExtraHosts: [...spec.extraHosts],
      Mounts: spec.mounts.map((mount) => ({ Type: mount.type, Target: mount.target, ReadOnly: mount.isReadOnly, Source: mount.source ?? '' })),
      ...(spec.nanoCpus > 0 ? { NanoCpus: spec.nanoCpus } : {}),
      ...(spec.memoryBytes > 0 ? { Memory: spec.memoryBytes } : {}),
      PidsLimit: spec.pidsLimit,
      ...(spec.deviceRequests.length > 0 ? { DeviceRequests: spec.deviceRequests.map(toDeviceRequest) } : {}),
    },
  };
}

function toContainerInfo(inspect: JsonRecord): ContainerInfo {
  const state = asRecord(inspect['State']);
  return {
    id: readString(inspect, 'Id') ?? '',
    name: (readString(inspect, 'Name') ?? '').replace(/^\//, ''),
    labels: readLabels(asRecord(inspect['Config'])),
    state: (readString(state, 'Status') ?? 'dead') as ContainerState,
    exitCode: typeof state['ExitCode'] === 'number' ? state['ExitCode'] : 0,
    isOomKilled: state['OOMKilled'] === true,
    error: readString(state, 'Error') ?? '',
  };
}

function toImageInfo(inspect: JsonRecord): ImageInfo {
  const config = asRecord(inspect['Config']);
  return {
    id: readString(inspect, 'Id') ?? '',
    entrypoint: readStrings(config, 'Entrypoint'),
    cmd: readStrings(config, 'Cmd'),
    user: readString(config, 'User') ?? '',
  };
}

function toNetworkInfo(inspect: JsonRecord): NetworkInfo {
  const configs = asRecord(inspect['IPAM'])['Config'];
  const gateway = Array.isArray(configs) ? configs.map(asRecord).map((config) => readString(config, 'Gateway')).find((ip) => ip !== undefined && ip !== '') : undefined;
  return { id: readString(inspect, 'Id') ?? '', name: readString(inspect, 'Name') ?? '', gatewayIp: gateway };
}

function toContainerEvent(raw: JsonRecord): ContainerEvent | undefined {
  const actor = asRecord(raw['Actor']);
  const action = readString(raw, 'Action') ?? readString(raw, 'status');
  const containerId = readString(actor, 'ID') ?? readString(raw, 'id');
  if (action === undefined || containerId === undefined) return undefined;
  const attributes = Object.fromEntries(Object.entries(asRecord(actor['Attributes'])).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
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

/** The {@link DockerEngine} that talks to dockerd over its HTTP API; the only file that knows its paths. */
export class DockerApiEngine implements DockerEngine {
  readonly endpoint: string;
  readonly #http: DockerHttpClient;

  constructor(host: DockerHost) {
    this.endpoint = host.endpoint;
    this.#http = new DockerHttpClient(host);
  }

  async ping(signal: AbortSignal): Promise<void> {
    await this.#http.text({ method: 'GET', path: '/_ping', signal });
  }

  async info(signal: AbortSignal): Promise<EngineInfo> {
    const info = asRecord(await this.#http.json({ method: 'GET', path: '/info', signal }));
    return {
      serverVersion: readString(info, 'ServerVersion') ?? '',
      runtimes: Object.keys(asRecord(info['Runtimes'])),
      cdiSpecDirs: readStrings(info, 'CDISpecDirs'),
    };
  }

  async inspectImage(reference: string, signal: AbortSignal): Promise<ImageInfo | undefined> {
    return unlessNotFound(async () => toImageInfo(asRecord(await this.#http.json({ method: 'GET', path: `/images/${encodeName(reference)}/json`, signal }))), undefined);
  }

  async pullImage(reference: string, onProgress: (progress: PullProgress) => void, signal: AbortSignal): Promise<void> {
    const stream = await this.#http.stream({ method: 'POST', path: '/images/create', query: { fromImage: reference }, signal });
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
    const query = { all: true, filters: toFiltersQuery({ label: labelFilters }) };
    const containers = await this.#http.json({ method: 'GET', path: '/containers/json', query, signal });
    return (Array.isArray(containers) ? containers : []).map((container) => readString(asRecord(container), 'Id') ?? '').filter((id) => id !== '');
  }

  async inspectContainer(id: string, signal: AbortSignal): Promise<ContainerInfo | undefined> {
    return unlessNotFound(async () => toContainerInfo(asRecord(await this.#http.json({ method: 'GET', path: `/containers/${encodeURIComponent(id)}/json`, signal }))), undefined);
  }

  async createContainer(spec: ContainerCreateSpec, signal: AbortSignal): Promise<string> {
    const created = asRecord(await this.#http.json({ method: 'POST', path: '/containers/create', query: { name: spec.name }, body: toCreateBody(spec), signal }));
    const id = readString(created, 'Id');
    if (id === undefined) throw new Error(`container create of ${spec.name} answered no Id`);
    return id;
  }

  /** 304 (already running) is a success answer, not an error. */
  async startContainer(id: string, signal: AbortSignal): Promise<void> {
    await this.#http.json({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/start`, signal });
  }

  /** 304 (already stopped) is a success answer, not an error. */
  async stopContainer(id: string, timeoutSeconds: number, signal: AbortSignal): Promise<void> {
    await this.#http.json({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/stop`, query: { t: timeoutSeconds }, signal });
  }

  async removeContainer(id: string, signal: AbortSignal): Promise<boolean> {
    return unlessNotFound(async () => {
      await this.#http.json({ method: 'DELETE', path: `/containers/${encodeURIComponent(id)}`, query: { force: true, v: true }, signal });
      return true;
    }, false);
  }

  async inspectNetwork(name: string, signal: AbortSignal): Promise<NetworkInfo | undefined> {
    return unlessNotFound(async () => toNetworkInfo(asRecord(await this.#http.json({ method: 'GET', path: `/networks/${encodeName(name)}`, signal }))), undefined);
  }

  async createNetwork(spec: NetworkCreateSpec, signal: AbortSignal): Promise<NetworkInfo> {
    const body = { Name: spec.name, Driver: 'bridge', CheckDuplicate: true, Labels: { ...spec.labels } };
    const created = asRecord(await this.#http.json({ method: 'POST', path: '/networks/create', body, signal }));
    const id = readString(created, 'Id') ?? spec.name;
    return toNetworkInfo(asRecord(await this.#http.json({ method: 'GET', path: `/networks/${encodeName(id)}`, signal })));
  }

  async openContainerEvents(labelFilters: readonly string[], signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    const query = { filters: toFiltersQuery({ type: ['container'], label: labelFilters }) };
    const stream = await this.#http.stream({ method: 'GET', path: '/events', query, signal });
    return readContainerEvents(stream);
  }
}

/** The request's AbortSignal destroys the response, which ends this iteration. */
async function* readContainerEvents(stream: AsyncIterable<unknown> & { destroy: () => void }): AsyncGenerator<ContainerEvent> {
  try {
    for await (const raw of readJsonLines(stream)) {
      const event = toContainerEvent(raw);
      if (event !== undefined) yield event;
    }
  } finally {
    stream.destroy();
  }
}
