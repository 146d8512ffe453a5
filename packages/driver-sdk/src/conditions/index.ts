export { CONTAINER_EXITED_REASON, SandboxBackendPhase, deriveBackendPhase, showsStopped } from './backend-phase.js';
export {
  ConditionReason,
  ConditionStatus,
  ConditionType,
  TRANSIENT_REASONS,
  TerminalReason,
  TransientReason,
  isTransientReason,
} from './condition-types.js';
export {
  backendNotReady,
  backendReady,
  buildCondition,
  findCondition,
  readyCondition,
  setCondition,
  suspendedCondition,
} from './conditions.js';
export type { ConditionInit } from './conditions.js';
