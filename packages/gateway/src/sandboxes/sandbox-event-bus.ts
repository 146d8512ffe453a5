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
  private readonly everyListeners = new Set<SandboxChangeListener>();
  private readonly eventTails = new Map<string, PlatformEvent[]>();

  publish(change: SandboxChange): void {
    const sandboxId = change.kind === 'platformEvent' ? change.sandboxId : (change.sandbox.metadata?.id ?? '');
    if (change.kind === 'platformEvent') this.remember(sandboxId, change.event);
    for (const listener of this.listeners.get(sandboxId) ?? []) listener(change);
    for (const listener of this.everyListeners) listener(change);
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

  /** Every change of every sandbox (e.g. to drop per-sandbox state on delete). */
  subscribeAll(listener: SandboxChangeListener): () => void {
    this.everyListeners.add(listener);
    return () => this.everyListeners.delete(listener);
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
