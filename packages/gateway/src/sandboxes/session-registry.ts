/** A live supervisor session of one sandbox. */
export interface SupervisorSession {
  readonly sandboxId: string;
  readonly sessionId: string;
  readonly connectedAtMs: number;
}

export type SessionListener = (sandboxId: string, isConnected: boolean) => void;

/**
 * Which sandboxes have a live supervisor session right now. Readiness is gateway-owned:
 * a backend that says Ready is only Ready once its supervisor has dialed in. A newer
 * session of a sandbox supersedes the older one (the supervisor reconnected), and a
 * disconnect of a superseded session changes nothing.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, SupervisorSession>();
  private readonly listeners = new Set<SessionListener>();

  constructor(private readonly nowMs: () => number = Date.now) {}

  /** Records a session; returns the one it superseded, if any. */
  connect(sandboxId: string, sessionId: string): SupervisorSession | undefined {
    const previous = this.sessions.get(sandboxId);
    this.sessions.set(sandboxId, { sandboxId, sessionId, connectedAtMs: this.nowMs() });
    if (previous === undefined) this.notify(sandboxId, true);
    return previous;
  }

  /** Ends a session; ignored when a newer session of the same sandbox has taken over. */
  disconnect(sandboxId: string, sessionId: string): boolean {
    const current = this.sessions.get(sandboxId);
    if (current?.sessionId !== sessionId) return false;
    this.sessions.delete(sandboxId);
    this.notify(sandboxId, false);
    return true;
  }

  hasLiveSession(sandboxId: string): boolean {
    return this.sessions.has(sandboxId);
  }

  get(sandboxId: string): SupervisorSession | undefined {
    return this.sessions.get(sandboxId);
  }

  /** Calls `listener` on every connect of a first session and every effective disconnect. */
  onChange(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(sandboxId: string, isConnected: boolean): void {
    for (const listener of this.listeners) listener(sandboxId, isConnected);
  }
}
