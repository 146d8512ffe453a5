import { EVENT_STREAM_BACKOFF, abortableSleep, backoffDelayMs, silentLogger } from '@shellgate/driver-sdk';
import type { Logger, Sleep } from '@shellgate/driver-sdk';
import type { CoreV1Event, V1Pod } from '@kubernetes/client-node';

import type { KubeApi, KubeList, KubeWatchEvent } from '../cluster/kube-api.js';
import { isKubeStatus } from '../cluster/kube-status.js';
import { AsyncQueue } from './async-queue.js';

/** What the merged stream delivers, in order per kind. */
export type KubeStreamItem =
  | { readonly kind: 'pod'; readonly type: 'ADDED' | 'MODIFIED' | 'DELETED'; readonly pod: V1Pod }
  | { readonly kind: 'event'; readonly event: CoreV1Event }
  /** The pod watch's resourceVersion expired (410 Gone): pods were listed again, and the watch continues from that listing. */
  | { readonly kind: 'relisted' };

/** The resourceVersion is too old (HTTP 410 Gone, or a watch ERROR event with code 410). */
class WatchExpired extends Error {
  constructor() {
    super('watch resourceVersion expired (410 Gone)');
    this.name = 'WatchExpired';
  }
}

/** A watch that lasted at least this long was healthy; shorter ones back off before resuming. */
const MIN_HEALTHY_WATCH_MS = 1000;

function resourceVersionOf(object: unknown): string | undefined {
  return (object as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion;
}

export interface KubeWatchStreamOptions {
  readonly api: KubeApi;
  /** Label selector of our pods. */
  readonly podSelector: string;
  readonly logger?: Logger;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

/**
 * An informer over our pods (and the Kubernetes Events about pods): list, then watch from the
 * list's resourceVersion; a watch the server ends (its timeout) or that drops resumes from the
 * last resourceVersion it saw (bookmarks keep it fresh) after a capped, jittered backoff; a
 * 410 Gone lists again and continues from that listing, telling the consumer (`relisted`) so
 * it resyncs. Events follow the same rules, from the resourceVersion of a one-item list
 * (history is not replayed). Each `open` starts one merged stream that ends with its signal.
 */
export class KubeWatchStream {
  readonly #options: KubeWatchStreamOptions;
  readonly #logger: Logger;
  /** The last pod listing, handed once to the resync that follows it. */
  #freshPods: KubeList<V1Pod> | undefined;

  constructor(options: KubeWatchStreamOptions) {
    this.#options = options;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'kube-watch' });
  }

  /** The pod listing the stream last started from, once (then undefined until the next listing). */
  takeFreshPods(): KubeList<V1Pod> | undefined {
    const pods = this.#freshPods;
    this.#freshPods = undefined;
    return pods;
  }

  /** Lists pods, then starts the merged watch from that listing. */
  async open(signal: AbortSignal): Promise<AsyncIterable<KubeStreamItem>> {
    const { api, podSelector } = this.#options;
    const pods = await api.listPods(podSelector, signal);
    this.#freshPods = pods;
    const queue = new AsyncQueue<KubeStreamItem>(signal);
    this.#followPods(pods.resourceVersion, queue, signal).catch((error: unknown) => this.#logger.error('pod watch stopped', { error }));
    this.#followEvents(queue, signal).catch((error: unknown) => this.#logger.error('event watch stopped', { error }));
    return queue;
  }

  async #followPods(fromVersion: string, queue: AsyncQueue<KubeStreamItem>, signal: AbortSignal): Promise<void> {
    const { api, podSelector } = this.#options;
    let resourceVersion = fromVersion;
    await this.#follow('pods', signal, {
      watch: () =>
        this.#watchOnce<V1Pod>('pods', { labelSelector: podSelector, resourceVersion }, signal, (event) => {
          resourceVersion = resourceVersionOf(event.object) ?? resourceVersion;
          if (event.type === 'ADDED' || event.type === 'MODIFIED' || event.type === 'DELETED') queue.push({ kind: 'pod', type: event.type, pod: event.object });
        }),
      relist: async () => {
        const pods = await api.listPods(podSelector, signal);
        this.#freshPods = pods;
        resourceVersion = pods.resourceVersion;
        queue.push({ kind: 'relisted' });
      },
    });
  }

  async #followEvents(queue: AsyncQueue<KubeStreamItem>, signal: AbortSignal): Promise<void> {
    const { api } = this.#options;
    let resourceVersion = '';
    const relist = async (): Promise<void> => {
      resourceVersion = (await api.listPodEvents(1, signal)).resourceVersion;
    };
    await this.#follow('events', signal, {
      watch: async () => {
        if (resourceVersion === '') await relist();
        await this.#watchOnce<CoreV1Event>('events', { fieldSelector: 'involvedObject.kind=Pod', resourceVersion }, signal, (event) => {
          resourceVersion = resourceVersionOf(event.object) ?? resourceVersion;
          if (event.type === 'ADDED' || event.type === 'MODIFIED') queue.push({ kind: 'event', event: event.object });
        });
      },
      relist,
    });
  }

  /**
   * One watch request, until the server ends it. An ERROR event with code 410 ends it with
   * {@link WatchExpired}; other ERROR events are logged. (The client swallows what a callback
   * throws, so the expiry is noted and thrown once the request is over.)
   */
  async #watchOnce<T>(
    kind: 'pods' | 'events',
    options: { readonly labelSelector?: string; readonly fieldSelector?: string; readonly resourceVersion: string },
    signal: AbortSignal,
    onEvent: (event: KubeWatchEvent<T>) => void,
  ): Promise<void> {
    const request = new AbortController();
    const bounded = AbortSignal.any([signal, request.signal]);
    let isExpired = false;
    await this.#options.api.watch<T>(kind, options, (event) => {
      if (isExpired) return;
      if (event.type !== 'ERROR') return onEvent(event);
      if (isKubeStatus(event.object, 410)) {
        isExpired = true;
        request.abort();
        return;
      }
      this.#logger.warn('watch reported an error', { kind, status: event.object });
    }, bounded);
    if (isExpired) throw new WatchExpired();
  }

  /** Watches until `signal` aborts: resumes after an end or a failure, relists after a 410. */
  async #follow(kind: string, signal: AbortSignal, steps: { readonly watch: () => Promise<void>; readonly relist: () => Promise<void> }): Promise<void> {
    const sleep = this.#options.sleep ?? abortableSleep;
    let failures = 0;
    let isExpired = false;
    while (!signal.aborted) {
      try {
        if (isExpired) {
          this.#logger.info('watch resourceVersion expired (410 Gone); listing again', { kind });
          await steps.relist();
          isExpired = false;
        }
        const startedAt = Date.now();
        await steps.watch();
        // A watch the server ends at once (a misbehaving proxy) must not spin: back off as after a failure.
        if (Date.now() - startedAt >= MIN_HEALTHY_WATCH_MS) {
          failures = 0;
          continue;
        }
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof WatchExpired || isKubeStatus(error, 410)) {
          isExpired = true;
          continue;
        }
        this.#logger.warn('watch dropped; resuming from its last resourceVersion', { kind, error, attempt: failures + 1 });
      }
      await sleep(backoffDelayMs(failures, EVENT_STREAM_BACKOFF, this.#options.random), signal);
      failures += 1;
    }
  }
}
