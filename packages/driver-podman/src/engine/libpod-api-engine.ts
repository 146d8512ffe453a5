import {
  EngineHttpClient,
  EngineHttpError,
  asRecord,
  decodeContainerInspect,
  decodeImageInspect,
  decodeLibpodNetworkInspect,
  encodePathName,
  readContainerEvents,
  readJsonLines,
  readString,
  toFiltersQuery,
  unlessNotFound,
} from '@shellgate/container-engine';
import type { EngineHost, EngineRequest } from '@shellgate/container-engine';

import type {
  AnchorPodSpec,
  ContainerEvent,
  ContainerInfo,
  EnginePing,
  ImageInfo,
  LibpodNetworkInfo,
  NetworkCreateSpec,
  PodmanCreateSpec,
  PodmanEngine,
  PodmanInfo,
  PullProgress,
} from './podman-engine.js';
import { toLibpodCreateBody } from './libpod-create-body.js';

/**
 * The libpod API version in every path. Podman 4.3 (Debian 12) serves v4; newer Podman
 * serves these paths too, so one prefix covers the versions this driver supports.
 */
export const LIBPOD_PATH_PREFIX = '/v4.0.0/libpod';

/**
 * libpod 4.3 answers two failures with a 500 where Docker gives them their own status, so
 * they are read as Docker's: a container that is gone or being removed ("... does not
 * exist in database: no such container", seen when inspecting on the `died` event of a
 * forced remove) is a 404, and a create whose name is taken ("... that name is already in
 * use") a 409.
 */
function toDockerStatus(error: unknown, method: string, path: string): unknown {
  if (!(error instanceof EngineHttpError) || error.statusCode !== 500) return error;
  const message = error.json?.message ?? '';
  const statusCode = /no such container/.test(message) ? 404 : /is already in use/.test(message) ? 409 : undefined;
  return statusCode === undefined ? error : new EngineHttpError(method, `${LIBPOD_PATH_PREFIX}${path}`, statusCode, JSON.stringify(error.json));
}

/** The {@link PodmanEngine} over Podman's libpod REST API; the only file that knows its paths. */
export class LibpodApiEngine implements PodmanEngine {
  readonly endpoint: string;
  readonly #libpod: EngineHttpClient;
  /** The same socket outside the libpod tree, for `/_ping` (which Docker answers too). */
  readonly #root: EngineHttpClient;

  constructor(host: EngineHost) {
    this.endpoint = host.endpoint;
    this.#libpod = new EngineHttpClient(host, { pathPrefix: LIBPOD_PATH_PREFIX });
    this.#root = this.#libpod.withPathPrefix('');
  }

  ping(signal: AbortSignal): Promise<EnginePing> {
    return this.#root.ping(signal);
  }

  async info(signal: AbortSignal): Promise<PodmanInfo> {
    const info = asRecord(await this.#libpod.json({ method: 'GET', path: '/info', signal }));
    const host = asRecord(info['host']);
    return {
      version: readString(asRecord(info['version']), 'Version') ?? '',
      isRootless: asRecord(host['security'])['rootless'] === true,
      cgroupVersion: readString(host, 'cgroupVersion') ?? '',
    };
  }

  async inspectImage(reference: string, signal: AbortSignal): Promise<ImageInfo | undefined> {
    return unlessNotFound(async () => decodeImageInspect(await this.#libpod.json({ method: 'GET', path: `/images/${encodePathName(reference)}/json`, signal })), undefined);
  }

  /** libpod's pull stream: `stream` lines of progress, an `error` line on failure (still HTTP 200), `images` at the end. */
  async pullImage(reference: string, onProgress: (progress: PullProgress) => void, signal: AbortSignal): Promise<void> {
    const stream = await this.#libpod.stream({ method: 'POST', path: '/images/pull', query: { reference, policy: 'always' }, signal });
    for await (const line of readJsonLines(stream)) {
      const failure = readString(line, 'error');
      if (failure !== undefined) throw new Error(failure);
      const status = readString(line, 'stream')?.trim();
      if (status !== undefined && status !== '') onProgress({ status });
    }
  }

  async listContainerIds(labelFilters: readonly string[], signal: AbortSignal): Promise<string[]> {
    // libpod ANDs the label filters of a container listing (its events OR them).
    const query = { all: true, filters: toFiltersQuery({ label: labelFilters }) };
    const containers = await this.#libpod.json({ method: 'GET', path: '/containers/json', query, signal });
    return (Array.isArray(containers) ? containers : []).map((container) => readString(asRecord(container), 'Id') ?? '').filter((id) => id !== '');
  }

  async inspectContainer(id: string, signal: AbortSignal): Promise<ContainerInfo | undefined> {
    return unlessNotFound(async () => decodeContainerInspect(await this.#json({ method: 'GET', path: `/containers/${encodeURIComponent(id)}/json`, signal })), undefined);
  }

  async createContainer(spec: PodmanCreateSpec, signal: AbortSignal): Promise<string> {
    const created = asRecord(await this.#json({ method: 'POST', path: '/containers/create', body: toLibpodCreateBody(spec), signal }));
    const id = readString(created, 'Id');
    if (id === undefined) throw new Error(`container create of ${spec.name} answered no Id`);
    return id;
  }

  /** 304 (already running) is a success answer, not an error. */
  async startContainer(id: string, signal: AbortSignal): Promise<void> {
    await this.#json({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/start`, signal });
  }

  /** 304 (already stopped) is a success answer, not an error. */
  async stopContainer(id: string, timeoutSeconds: number, signal: AbortSignal): Promise<void> {
    await this.#json({ method: 'POST', path: `/containers/${encodeURIComponent(id)}/stop`, query: { timeout: timeoutSeconds }, signal });
  }

  /** `volumes=true` removes the anonymous volumes with it (libpod 4.3 ignores Docker's `v`). */
  async removeContainer(id: string, signal: AbortSignal): Promise<boolean> {
    return unlessNotFound(async () => {
      await this.#json({ method: 'DELETE', path: `/containers/${encodeURIComponent(id)}`, query: { force: true, volumes: true }, signal });
      return true;
    }, false);
  }

  async inspectNetwork(name: string, signal: AbortSignal): Promise<LibpodNetworkInfo | undefined> {
    return unlessNotFound(async () => decodeLibpodNetworkInspect(await this.#libpod.json({ method: 'GET', path: `/networks/${encodePathName(name)}/json`, signal })), undefined);
  }

  /** No DNS: sandboxes have no business resolving each other's names. */
  async createNetwork(spec: NetworkCreateSpec, signal: AbortSignal): Promise<LibpodNetworkInfo> {
    const body = { name: spec.name, driver: 'bridge', labels: { ...spec.labels }, dns_enabled: false };
    return decodeLibpodNetworkInspect(await this.#libpod.json({ method: 'POST', path: '/networks/create', body, signal }));
  }

  /** Its infra container runs the pause image Podman builds itself, so no registry is needed; 409 (made meanwhile) and 304 (running) are fine. */
  async ensurePod(spec: AnchorPodSpec, signal: AbortSignal): Promise<void> {
    const path = `/pods/${encodePathName(spec.name)}`;
    const pod = await unlessNotFound(async () => asRecord(await this.#json({ method: 'GET', path: `${path}/json`, signal })), undefined);
    if (pod === undefined) {
      const body = { name: spec.name, labels: { ...spec.labels }, netns: { nsmode: 'bridge' }, Networks: { [spec.networkName]: {} } };
      await this.#json({ method: 'POST', path: '/pods/create', body, signal }).catch((error: unknown) => {
        if (!(error instanceof EngineHttpError && error.statusCode === 409)) throw error;
      });
    } else if (readString(pod, 'State') === 'Running') return;
    await this.#json({ method: 'POST', path: `${path}/start`, signal });
  }

  /** libpod ORs label filters on events: callers pass one and check ownership per event. */
  async openContainerEvents(labelFilters: readonly string[], signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    const query = { stream: true, filters: toFiltersQuery({ type: ['container'], label: labelFilters }) };
    const stream = await this.#libpod.stream({ method: 'GET', path: '/events', query, signal });
    return readContainerEvents(stream);
  }

  close(): void {
    this.#libpod.close();
  }

  /** A libpod call whose 500s that Docker names otherwise come out with Docker's status. */
  async #json(request: EngineRequest): Promise<unknown> {
    try {
      return await this.#libpod.json(request);
    } catch (error) {
      throw toDockerStatus(error, request.method, request.path);
    }
  }
}
