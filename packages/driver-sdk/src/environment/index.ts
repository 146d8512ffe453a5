export { DEFAULT_SANDBOX_LOG_LEVEL, RESERVED_ENV_PREFIX, SandboxEnv } from './env.js';
export { buildSandboxEnvironment, mergeUserEnvironment, toEnvList } from './sandbox-environment.js';
export type { SandboxEnvironmentOptions, SandboxTlsFiles } from './sandbox-environment.js';
