import { randomUUID } from 'node:crypto';
import { SandboxPhase, SandboxTemplate, type Sandbox, type SandboxCondition } from '@shellgate/api';
import type { DriverSandbox, DriverSandboxStatus, GetCapabilitiesResponse } from '@shellgate/driver-sdk';
import type { CreateSandboxPlan } from './sandbox-request.js';
import { SESSION_REPLICA_ANNOTATION } from './session-replica.js';

/** Annotation naming the driver that owns a sandbox; the gateway sets it, user values are overwritten. */
export const DRIVER_ANNOTATION = 'shellgate.dev/driver';

/** The public object for a new sandbox, before the driver has said anything about it. */
export function toNewSandbox(plan: CreateSandboxPlan, driverName: string, capabilities: GetCapabilitiesResponse, nowMs: number): Sandbox {
  const template = plan.spec.template;
  const { [SESSION_REPLICA_ANNOTATION]: _claimed, ...annotations } = plan.annotations;
  const image = template?.image || capabilities.defaultImage;
  return {
    metadata: {
      id: randomUUID(),
      name: plan.name,
      createdAtMs: nowMs,
      labels: { ...plan.labels },
      resourceVersion: 0,
      annotations: { ...annotations, [DRIVER_ANNOTATION]: driverName },
      workspace: plan.workspace,
      deletionTimestampMs: 0,
    },
    spec: {
      ...plan.spec,
      template: template === undefined ? SandboxTemplate.fromPartial({ image }) : { ...template, image },
    },
    status: {
      sandboxName: plan.name,
      agentPod: '',
      agentFd: '',
      sandboxFd: '',
      conditions: [],
      phase: SandboxPhase.SANDBOX_PHASE_PROVISIONING,
      currentPolicyVersion: 0,
      mainProcessInstanceId: '',
      exitCode: undefined,
    },
  };
}

/** What the driver receives for a sandbox: the compute contract's view plus its token. */
export function toDriverSandbox(sandbox: Sandbox, plan: Pick<CreateSandboxPlan, 'driverConfig' | 'resources'>, sandboxToken: string): DriverSandbox {
  const meta = sandbox.metadata!;
  const spec = sandbox.spec!;
  const template = spec.template;
  return {
    id: meta.id,
    name: meta.name,
    namespace: meta.workspace,
    workspace: meta.workspace,
    spec: {
      logLevel: spec.logLevel,
      environment: { ...spec.environment },
      template: {
        image: template?.image ?? '',
        agentSocketPath: template?.agentSocket ?? '',
        labels: { ...(template?.labels ?? {}) },
        environment: { ...(template?.environment ?? {}) },
        resources: plan.resources,
        platformConfig: undefined,
        driverConfig: plan.driverConfig,
      },
      resourceRequirements: spec.resourceRequirements,
      sandboxToken,
      command: [...spec.command],
      tty: spec.tty,
    },
    status: undefined,
  };
}

/** Copies the backend's status fields that the public status mirrors. */
export function withBackendFields(sandbox: Sandbox, backend: DriverSandboxStatus | undefined, phase: SandboxPhase, conditions: SandboxCondition[]): Sandbox {
  const status = sandbox.status!;
  return {
    ...sandbox,
    status: {
      ...status,
      sandboxName: backend?.sandboxName || status.sandboxName,
      agentPod: backend?.instanceId || status.agentPod,
      agentFd: backend?.agentFd ?? status.agentFd,
      sandboxFd: backend?.sandboxFd ?? status.sandboxFd,
      conditions,
      phase,
    },
  };
}

/** True when two statuses would look the same to an API client. */
export function isSameStatus(a: Sandbox, b: Sandbox): boolean {
  const sa = a.status!;
  const sb = b.status!;
  if (sa.phase !== sb.phase || sa.agentPod !== sb.agentPod || sa.sandboxName !== sb.sandboxName) return false;
  if (sa.mainProcessInstanceId !== sb.mainProcessInstanceId || sa.exitCode !== sb.exitCode) return false;
  if (sa.conditions.length !== sb.conditions.length) return false;
  return sa.conditions.every((c, i) => {
    const d = sb.conditions[i]!;
    return c.type === d.type && c.status === d.status && c.reason === d.reason && c.message === d.message;
  });
}
