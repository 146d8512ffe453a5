export { SANDBOX_TOKEN_AUDIENCE, SandboxIdentity } from './sandbox-identity.js';
export type { SandboxTokenClaims } from './sandbox-identity.js';
