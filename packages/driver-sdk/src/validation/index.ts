export { ENGINE_SOCKET_PATHS, SENSITIVE_HOST_PATHS, findBindMountSourceProblems, resolveBindMountSources } from './bind-mount-source.js';
export type { BindMountSourcePolicy, BindMountSourceRef, ProtectedHostPath } from './bind-mount-source.js';
export { DRIVER_CONFIG_FIELD, formatDriverConfigField } from './driver-config-field.js';
export { findDriverSandboxProblems, validateDriverSandbox } from './driver-sandbox.js';
export {
  MAX_ENVIRONMENT_ENTRIES,
  MAX_ENVIRONMENT_KEY_BYTES,
  MAX_ENVIRONMENT_VALUE_BYTES,
  findEnvironmentProblems,
  validateEnvironment,
} from './environment-limits.js';
export { findLabelProblems, validateLabels } from './labels.js';
export { RESERVED_MOUNT_TARGETS, findMountTargetProblems, validateMountTarget } from './mount-target.js';
export { MAX_SANDBOX_NAME_LENGTH, findSandboxNameProblems, validateSandboxName } from './sandbox-name.js';
export { throwIfProblems } from './validation-error.js';
export { validateWorkspaceName } from './workspace-name.js';
export type { ValidationProblem } from './validation-error.js';
