import type { PlatformEvent, Sandbox } from '@shellgate/api';

/** One change a WatchSandbox stream may carry. */
export type SandboxChange =
  | { readonly kind: 'updated'; readonly sandbox: Sandbox }
  | { readonly kind: 'deleted'; readonly sandbox: Sandbox }
  | { readonly kind: 'platformEvent'; readonly sandboxId: string; readonly event: PlatformEvent };

export type SandboxChangeListener = (change: SandboxChange) => void;

/** Platform events kept per sandbox for `event_tail`; older ones are dropped. */
export const PLATFORM_EVENT_TAIL_LIMIT = 200;

/**
 * Fans sandbox changes out to WatchSandbox streams, keyed by sandbox id, and keeps a
 * bounded tail of platform events per sandbox. In memory only: after a gateway restart
 * the drivers' watch snapshots bring current state back, and old events are history.
 */
export class SandboxEventBus {
  private readonly listeners = new Map<string, Set<SandboxChangeListener>>();
  /** Every-sandbox listeners, each with which sandboxes' relayed changes it needs. */
  private readonly everyListeners = new Map<SandboxChangeListener, (sandboxId: string) => boolean>();
  private readonly eventTails = new Map<string, PlatformEvent[]>();

  publish(change: SandboxChange): void {
    const sandboxId = change.kind === 'platformEvent' ? change.sandboxId : (change.sandbox.metadata?.id ?? '');
    if (change.kind === 'platformEvent') this.remember(sandboxId, change.event);
    for (const listener of this.listeners.get(sandboxId) ?? []) listener(change);
    for (const listener of this.everyListeners.keys()) listener(change);
    if (change.kind === 'deleted') this.eventTails.delete(sandboxId);
  }

  subscribe(sandboxId: string, listener: SandboxChangeListener): () => void {
    let set = this.listeners.get(sandboxId);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(sandboxId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(sandboxId);
    };
  }

  /**
   * Every change of every sandbox (e.g. to drop per-sandbox state on delete). `wants` says
   * which sandboxes the listener needs to hear about when another replica writes them (see
   * {@link isWanted}); by default all of them.
   */
  subscribeAll(listener: SandboxChangeListener, wants: (sandboxId: string) => boolean = () => true): () => void {
    this.everyListeners.set(listener, wants);
    return () => this.everyListeners.delete(listener);
  }

  /**
   * Whether a change of this sandbox would reach anyone here: a WatchSandbox stream of it, or
   * an every-sandbox listener that wants it. Another replica's write costs a store read to
   * relay, so it is read only when wanted; with several replicas every write reaches each.
   */
  isWanted(sandboxId: string): boolean {
    if (this.listeners.has(sandboxId)) return true;
    for (const wants of this.everyListeners.values()) if (wants(sandboxId)) return true;
    return false;
  }

  /** The last `count` platform events of a sandbox, oldest first. */
  recentEvents(sandboxId: string, count: number): PlatformEvent[] {
    const tail = this.eventTails.get(sandboxId) ?? [];
    return count <= 0 ? [] : tail.slice(-count);
  }

  private remember(sandboxId: string, event: PlatformEvent): void {
    let tail = this.eventTails.get(sandboxId);
    if (tail === undefined) {
      tail = [];
      this.eventTails.set(sandboxId, tail);
    }
    tail.push(event);
    if (tail.length > PLATFORM_EVENT_TAIL_LIMIT) tail.splice(0, tail.length - PLATFORM_EVENT_TAIL_LIMIT);
  }
}
