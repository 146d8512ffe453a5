import { toContainerName } from '@shellgate/container-engine';

/** The Secret key holding the token, and the one holding the sandbox record. */
export const SANDBOX_SECRET_TOKEN_KEY = 'token';
export const SANDBOX_SECRET_RECORD_KEY = 'sandbox.json';

/** The names of everything one sandbox owns in the namespace. */
export interface SandboxObjectNames {
  readonly pod: string;
  /** The Secret (token and record) has the pod's name: kinds do not share names. */
  readonly secret: string;
  readonly claim: string;
}

/**
 * Deterministic names: `shellgate-<workspace>-<name>-<first 8 of id>`, the container drivers'
 * naming (a DNS label of at most 63 characters, so also a valid pod name and hostname).
 */
export function toSandboxObjectNames(sandbox: { readonly id: string; readonly name: string; readonly workspace: string }): SandboxObjectNames {
  const pod = toContainerName(sandbox);
  return { pod, secret: pod, claim: `${pod}-workspace` };
}
