/**
 * Environment variables every driver sets inside a sandbox for the supervisor
 * (ARCHITECTURE.md, "Supervisor and the sandbox environment"). The names are OpenShell's,
 * so an upstream supervisor image works unchanged.
 */
export const SandboxEnv = {
  /** Gateway callback URL reachable from inside the sandbox. */
  Endpoint: 'OPENSHELL_ENDPOINT',
  SandboxId: 'OPENSHELL_SANDBOX_ID',
  /** The sandbox name. */
  SandboxName: 'OPENSHELL_SANDBOX',
  /** Path of the 0600 file holding the sandbox token; the token itself is never in env. */
  SandboxTokenFile: 'OPENSHELL_SANDBOX_TOKEN_FILE',
  LogLevel: 'OPENSHELL_LOG_LEVEL',
  /** JSON object of the user's environment (template merged with spec). */
  UserEnvironment: 'OPENSHELL_USER_ENVIRONMENT',
  TlsCaFile: 'OPENSHELL_TLS_CA_FILE',
  TlsCertFile: 'OPENSHELL_TLS_CERT_FILE',
  TlsKeyFile: 'OPENSHELL_TLS_KEY_FILE',
} as const;
export type SandboxEnv = (typeof SandboxEnv)[keyof typeof SandboxEnv];

/** Keys with this prefix belong to the driver; user environments may not set them. */
export const RESERVED_ENV_PREFIX = 'OPENSHELL_';

/** Log level handed to the supervisor when neither the spec nor the driver names one. */
export const DEFAULT_SANDBOX_LOG_LEVEL = 'info';
