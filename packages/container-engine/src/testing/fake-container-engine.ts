import type { ContainerEvent } from '../payload/container-event.js';
import type { ContainerInfo, ContainerState } from '../payload/container-info.js';
import type { ImageInfo } from '../payload/image-info.js';
import type { ContainerSpecBase } from '../sandbox/provision-sandbox.js';
import type { ContainerSandboxEngine, PullProgress } from '../sandbox/container-sandbox-engine.js';

/** An engine error shaped like the real client's: an HTTP status and the engine's JSON body. */
export function engineHttpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(`(HTTP code ${statusCode}) ${message}`), { statusCode, json: { message } });
}

/** Engine calls a test can make fail once, by name. */
export type FakeEngineOperation = 'pull' | 'create' | 'start' | 'stop' | 'remove' | 'list' | 'inspect' | 'openEvents' | 'info';

/** A container the fake holds: what inspect answers, and the spec it was created from. */
export interface FakeContainer<Spec> {
  info: { -readonly [K in keyof ContainerInfo]: ContainerInfo[K] };
  readonly spec: Spec;
}

class EventStream implements AsyncIterable<ContainerEvent> {
  readonly #queue: ContainerEvent[] = [];
  #wake: (() => void) | undefined;
  #isEnded = false;
  constructor(readonly filters: readonly string[]) {}
  push(event: ContainerEvent): void {
    this.#queue.push(event);
    this.#wake?.();
  }
  end(): void {
    this.#isEnded = true;
    this.#wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<ContainerEvent> {
    for (;;) {
      const next = this.#queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.#isEnded) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}

/** Whether labels carry every `key=value` (or `key`) filter. */
export function matchesLabelFilters(labels: Readonly<Record<string, string>>, filters: readonly string[]): boolean {
  return filters.every((filter) => {
    const [key, value] = filter.split('=', 2) as [string, string | undefined];
    return value === undefined ? key in labels : labels[key] === value;
  });
}

/**
 * An in-memory container engine for unit tests of the container drivers: images, a registry
 * to pull from, containers, label filters and an event stream, one-shot failures and gates
 * that hold a call until a test releases it. A driver's fake extends it with what only its
 * engine has (networks, engine info). Events follow Docker's words, as the shared decoders
 * give every engine's.
 */
export class FakeContainerEngine<Spec extends ContainerSpecBase> implements ContainerSandboxEngine {
  readonly endpoint: string;
  /** Local images: reference → id. */
  readonly images = new Map<string, string>([['busybox:latest', 'sha256:busybox']]);
  /** Each image's own entrypoint, cmd and USER, by id (none: all empty). */
  readonly imageCommands = new Map<string, Omit<ImageInfo, 'id'>>([['sha256:busybox', { entrypoint: [], cmd: ['sh'], user: '' }]]);
  /** Images a pull can fetch: reference → id. */
  readonly registry = new Map<string, string>();
  readonly containers = new Map<string, FakeContainer<Spec>>();
  readonly createdSpecs: Spec[] = [];
  readonly streams: EventStream[] = [];
  /** One-shot failures by operation. */
  readonly failures = new Map<FakeEngineOperation, Error>();
  /** Delay each pull until this resolves, when set. */
  pullGate: Promise<void> | undefined;
  /** Delay each container create until this resolves, when set (the caller may abort meanwhile). */
  createGate: Promise<void> | undefined;
  /** Delay each container inspect until this resolves, when set. */
  inspectGate: Promise<void> | undefined;
  /** Runs inside startContainer after the container runs, before the call returns. */
  afterStart: ((containerId: string) => Promise<void>) | undefined;
  #nextId = 1;

  constructor(endpoint = 'unix:///fake/engine.sock') {
    this.endpoint = endpoint;
  }

  /** Throws the failure set for `operation`, once. */
  protected takeFailure(operation: FakeEngineOperation): void {
    const failure = this.failures.get(operation);
    if (failure === undefined) return;
    this.failures.delete(operation);
    throw failure;
  }

  /** Sends an event to every open stream whose filters it matches, as the engine would. */
  emit(containerId: string, action: string, extra: Partial<ContainerEvent> = {}): void {
    const labels = this.containers.get(containerId)?.info.labels ?? extra.labels ?? {};
    const event: ContainerEvent = { containerId, action, labels, timeMs: Date.now(), ...extra };
    for (const stream of this.streams) if (matchesLabelFilters(event.labels, stream.filters)) stream.push(event);
  }

  /** Ends every open event stream, as an engine restart does. */
  endStreams(): void {
    for (const stream of this.streams.splice(0)) stream.end();
  }

  /** Changes a container's state behind the driver's back (no event unless `action`). */
  setState(containerId: string, state: ContainerState, exitCode = 0, action?: string): void {
    const container = this.containers.get(containerId);
    if (container === undefined) throw new Error(`no container ${containerId}`);
    container.info.state = state;
    container.info.exitCode = exitCode;
    if (action !== undefined) this.emit(containerId, action, { exitCode });
  }

  /** Adds a container the driver did not create. */
  addForeignContainer(labels: Record<string, string>, state: ContainerState = 'running'): string {
    const id = this.nextContainerId();
    const info = { id, name: id, labels, state, exitCode: 0, isOomKilled: false, error: '' };
    this.containers.set(id, { info, spec: { name: id, labels } as unknown as Spec });
    return id;
  }

  protected nextContainerId(): string {
    return `c${this.#nextId++}`;
  }

  async inspectImage(reference: string): Promise<ImageInfo | undefined> {
    const id = this.images.get(reference);
    if (id === undefined) return undefined;
    return { id, ...(this.imageCommands.get(id) ?? { entrypoint: [], cmd: [], user: '' }) };
  }

  async pullImage(reference: string, onProgress: (progress: PullProgress) => void): Promise<void> {
    await this.pullGate;
    this.takeFailure('pull');
    const id = this.registry.get(reference);
    if (id === undefined) throw engineHttpError(404, `pull access denied for ${reference}, repository does not exist`);
    onProgress({ status: 'Downloading', layerId: 'abc', detail: '[=>   ] 1MB/5MB' });
    onProgress({ status: 'Pull complete', layerId: 'abc' });
    this.images.set(reference, id);
  }

  async listContainerIds(labelFilters: readonly string[]): Promise<string[]> {
    this.takeFailure('list');
    return [...this.containers.values()].filter((c) => matchesLabelFilters(c.info.labels, labelFilters)).map((c) => c.info.id);
  }

  async inspectContainer(id: string): Promise<ContainerInfo | undefined> {
    await this.inspectGate;
    this.takeFailure('inspect');
    const container = this.containers.get(id);
    return container === undefined ? undefined : { ...container.info };
  }

  async createContainer(spec: Spec, signal: AbortSignal): Promise<string> {
    this.takeFailure('create');
    if (this.createGate === undefined) return this.#create(spec);
    const created = this.createGate.then(() => this.#create(spec));
    // Like an aborted HTTP request: the caller stops waiting, but the engine still creates it.
    const aborted = new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }));
    return Promise.race([created, aborted]);
  }

  #create(spec: Spec): string {
    if ([...this.containers.values()].some((c) => c.info.name === spec.name)) throw engineHttpError(409, `Conflict. The container name "/${spec.name}" is already in use`);
    const id = this.nextContainerId();
    this.createdSpecs.push(spec);
    this.containers.set(id, { info: { id, name: spec.name, labels: { ...spec.labels }, state: 'created', exitCode: 0, isOomKilled: false, error: '' }, spec });
    this.emit(id, 'create');
    return id;
  }

  async startContainer(id: string): Promise<void> {
    this.takeFailure('start');
    const container = this.containers.get(id);
    if (container === undefined) throw engineHttpError(404, `No such container: ${id}`);
    if (container.info.state === 'running') return;
    container.info.state = 'running';
    this.emit(id, 'start');
    await this.afterStart?.(id);
  }

  /** Stops a running container as Docker does: `die` with 0, then `stop`. */
  async stopContainer(id: string, _timeoutSeconds?: number): Promise<void> {
    this.takeFailure('stop');
    const container = this.containers.get(id);
    if (container === undefined) throw engineHttpError(404, `No such container: ${id}`);
    if (container.info.state !== 'running') return;
    container.info.state = 'exited';
    container.info.exitCode = 0;
    this.emit(id, 'die', { exitCode: 0 });
    this.emit(id, 'stop');
  }

  async removeContainer(id: string): Promise<boolean> {
    this.takeFailure('remove');
    const container = this.containers.get(id);
    if (container === undefined) return false;
    const labels = container.info.labels;
    this.containers.delete(id);
    this.emit(id, 'destroy', { labels });
    return true;
  }

  async openContainerEvents(labelFilters: readonly string[], signal: AbortSignal): Promise<AsyncIterable<ContainerEvent>> {
    this.takeFailure('openEvents');
    const stream = new EventStream(labelFilters);
    signal.addEventListener('abort', () => stream.end(), { once: true });
    this.streams.push(stream);
    return stream;
  }
}
