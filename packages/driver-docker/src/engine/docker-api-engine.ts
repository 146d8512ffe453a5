import {
  EngineHttpClient,
  asRecord,
  decodeContainerInspect,
  decodeImageInspect,
  decodeNetworkInspect,
  encodePathName,
  readContainerEvents,
  readJsonLines,
  readString,
  readStrings,
  toFiltersQuery,
  unlessNotFound,
} from '@shellgate/container-engine';
import type { EngineHost, JsonRecord } from '@shellgate/container-engine';

import type {
  ContainerCreateSpec,
  ContainerEvent,
  ContainerInfo,
  DeviceRequestSpec,
  DockerEngine,
  EngineInfo,
  ImageInfo,
  NetworkCreateSpec,
  NetworkInfo,
  PullProgress,
} from './docker-engine.js';
import { ENABLE_ICC_OPTION } from './inter-container-traffic.js';

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

/** The {@link DockerEngine} that talks to dockerd over its HTTP API; the only file that knows its paths. */
export class DockerApiEngine implements DockerEngine {
  readonly endpoint: string;
  readonly #http: EngineHttpClient;

  constructor(host: EngineHost) {
    this.endpoint = host.endpoint;
    this.#http = new EngineHttpClient(host);
  }

  async ping(signal: AbortSignal): Promise<void> {
    await this.#http.ping(signal);
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
    return unlessNotFound(async () => decodeImageInspect(await this.#http.json({ method: 'GET', path: `/images/${encodePathName(reference)}/json`, signal })), undefined);
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
    return unlessNotFound(async () => decodeContainerInspect(await this.#http.json({ method: 'GET', path: `/containers/${encodeURIComponent(id)}/json`, signal })), undefined);
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
    return unlessNotFound(async () => decodeNetworkInspect(await this.#http.json({ method: 'GET', path: `/networks/${encodePathName(name)}`, signal })), undefined);
  }

  async createNetwork(spec: NetworkCreateSpec, signal: AbortSignal): Promise<NetworkInfo> {
    const body = {
      Name: spec.name,
      Driver: 'bridge',
      CheckDuplicate: true,
      Labels: { ...spec.labels },
      Options: { [ENABLE_ICC_OPTION]: String(spec.isInterContainerTrafficEnabled) },
    };
    const created = asRecord(await this.#http.json({ method: 'POST', path: '/networks/create', body, signal }));
    const id = readString(created, 'Id') ?? spec.name;
    return decodeNetworkInspect(await this.#http.json({ method: 'GET', path: `/networks/${encodePathName(id)}`, signal }));
  }

  async openContainerEvents(labelFilters: readonly string[], signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    const query = { filters: toFiltersQuery({ type: ['container'], label: labelFilters }) };
    const stream = await this.#http.stream({ method: 'GET', path: '/events', query, signal });
    return readContainerEvents(stream);
  }
}
