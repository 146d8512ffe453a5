import { TerminalReason, TransientReason, backendNotReady, backendReady, suspendedCondition } from '@shellgate/driver-sdk';
import type { DriverCondition } from '@shellgate/driver-sdk';
import type { V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

import { RUNTIME_INIT_CONTAINER, SANDBOX_CONTAINER } from './sandbox-pod.js';

/** Reasons this driver reports besides the SDK's shared ones (each non-transient: Error). */
export const PodReason = {
  /** `Ready=False` while stopped on request (with `Suspended=True`). */
  NotRunning: 'NotRunning',
  /** The pod was deleted (or is being deleted) by someone else; StartSandbox recreates it. */
  PodDeleted: 'PodDeleted',
  OOMKilled: 'OOMKilled',
  CrashLoopBackOff: 'CrashLoopBackOff',
  Evicted: 'Evicted',
  /** The pod's node is gone, or Kubernetes is taking the pod away (DisruptionTarget). */
  NodeLost: 'NodeLost',
} as const;

/** Waiting reasons that mean the image cannot come, whatever the wait: fail at once. */
const HOPELESS_PULL_REASONS: ReadonlySet<string> = new Set(['ErrImageNeverPull', 'InvalidImageName']);
/** Waiting reasons that may heal (a registry hiccup): fail only after the bound. */
const RETRIED_PULL_REASONS: ReadonlySet<string> = new Set(['ErrImagePull', 'ImagePullBackOff']);
/** Waiting reasons of a container the runtime could not create or start. */
const START_FAILURE_REASONS: ReadonlySet<string> = new Set(['CreateContainerConfigError', 'CreateContainerError', 'RunContainerError', 'PreCreateHookError', 'PreStartHookError']);

export interface PodConditionOptions {
  readonly nowMs: number;
  /** ErrImagePull/ImagePullBackOff lasting this long since the pod was created become terminal. */
  readonly imagePullFailureMs: number;
}

const notSuspended = (): DriverCondition => suspendedCondition(false);

function describeContainer(status: V1ContainerStatus): string {
  return status.name === RUNTIME_INIT_CONTAINER ? `the supervisor runtime init container (image ${status.image})` : `the sandbox container (image ${status.image})`;
}

/** Ready=False for a waiting container, or undefined when the reason says nothing worth more than "starting". */
function fromWaiting(pod: V1Pod, status: V1ContainerStatus, options: PodConditionOptions): DriverCondition | undefined {
  const waiting = status.state?.waiting;
  if (waiting === undefined) return undefined;
  const reason = waiting.reason ?? '';
  const message = `${describeContainer(status)}: ${reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  if (HOPELESS_PULL_REASONS.has(reason)) return backendNotReady(TerminalReason.ImagePullFailed, message);
  if (RETRIED_PULL_REASONS.has(reason)) {
    const createdMs = pod.metadata?.creationTimestamp === undefined ? options.nowMs : new Date(pod.metadata.creationTimestamp).getTime();
    const isPastBound = options.nowMs - createdMs >= options.imagePullFailureMs;
    return isPastBound ? backendNotReady(TerminalReason.ImagePullFailed, message) : backendNotReady(TransientReason.ContainerStarting, `pulling, retrying: ${message}`);
  }
  if (START_FAILURE_REASONS.has(reason)) return backendNotReady(TerminalReason.ContainerStartFailed, message);
  if (reason === 'CrashLoopBackOff') return backendNotReady(PodReason.CrashLoopBackOff, message);
  return undefined;
}

/** Ready=False for a terminated container (the pod never restarts one). */
function fromTerminated(status: V1ContainerStatus): DriverCondition | undefined {
  const terminated = status.state?.terminated;
  if (terminated === undefined) return undefined;
  if (terminated.reason === 'OOMKilled') return backendNotReady(PodReason.OOMKilled, `${describeContainer(status)} was killed: out of memory (exit code ${terminated.exitCode})`);
  const detail = terminated.message ? `: ${terminated.message}` : '';
  if (status.name === RUNTIME_INIT_CONTAINER) {
    return terminated.exitCode === 0 ? undefined : backendNotReady(TerminalReason.ContainerStartFailed, `${describeContainer(status)} failed with exit code ${terminated.exitCode}${detail}`);
  }
  return backendNotReady(TerminalReason.ContainerExited, `container exited with code ${terminated.exitCode}${detail}`);
}

/** Kubernetes is taking the pod away (eviction, node loss, preemption), or has. */
function fromPodLevel(pod: V1Pod): DriverCondition | undefined {
  const status = pod.status;
  if (status?.reason === 'Evicted') return backendNotReady(PodReason.Evicted, `pod was evicted: ${status.message ?? ''}`.trim());
  if (status?.reason === 'NodeLost' || status?.reason === 'NodeShutdown' || status?.reason === 'Terminated') {
    return backendNotReady(PodReason.NodeLost, `pod's node ${pod.spec?.nodeName ?? ''} is gone (${status.reason}): ${status.message ?? ''}`.trim());
  }
  const disruption = status?.conditions?.find((condition) => condition.type === 'DisruptionTarget' && condition.status === 'True');
  if (disruption !== undefined) return backendNotReady(PodReason.NodeLost, `Kubernetes is removing the pod (${disruption.reason ?? 'DisruptionTarget'}): ${disruption.message ?? ''}`.trim());
  return undefined;
}

function fromScheduling(pod: V1Pod): DriverCondition | undefined {
  const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
  if (scheduled?.status !== 'False') return undefined;
  // Transient: the pod is scheduled as soon as room frees up; the scheduler's message says why not yet.
  return backendNotReady(TransientReason.DependenciesNotReady, `${scheduled.reason ?? 'Unschedulable'}: ${scheduled.message ?? 'the scheduler has not placed the pod yet'}`);
}

/**
 * Ready and Suspended=False for a pod that exists and is not being deleted: Ready when the
 * sandbox container runs; else the most telling reason, in order: Kubernetes taking the pod
 * away, a failed init or sandbox container, scheduling, image pulls, else Starting.
 */
export function toPodConditions(pod: V1Pod, options: PodConditionOptions): DriverCondition[] {
  const initStatuses = pod.status?.initContainerStatuses ?? [];
  const sandboxStatus = pod.status?.containerStatuses?.find((status) => status.name === SANDBOX_CONTAINER);
  const podLevel = fromPodLevel(pod);
  if (podLevel !== undefined) return [podLevel, notSuspended()];
  for (const status of [...initStatuses, ...(sandboxStatus === undefined ? [] : [sandboxStatus])]) {
    const failed = fromTerminated(status) ?? fromWaiting(pod, status, options);
    if (failed !== undefined) return [failed, notSuspended()];
  }
  if (sandboxStatus?.state?.running !== undefined) {
    const podReady = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
    if (podReady?.status === 'False' && podReady.reason !== 'ContainersNotReady') {
      return [backendNotReady(TransientReason.DependenciesNotReady, `pod is not ready: ${podReady.reason ?? ''} ${podReady.message ?? ''}`.trim()), notSuspended()];
    }
    return [backendReady(), notSuspended()];
  }
  const scheduling = fromScheduling(pod);
  if (scheduling !== undefined) return [scheduling, notSuspended()];
  const isInitializing = initStatuses.some((status) => status.state?.terminated === undefined);
  return [backendNotReady(TransientReason.ContainerStarting, isInitializing ? 'installing the supervisor runtime' : 'pod scheduled, starting'), notSuspended()];
}

/** A sandbox stopped on request: no pod, its Secret (and claim) kept. */
export function toStoppedConditions(): DriverCondition[] {
  return [backendNotReady(PodReason.NotRunning, 'stopped by the driver'), suspendedCondition(true, undefined, 'stopped on request; the pod is deleted, the sandbox secret and volume claim are kept')];
}

/** A sandbox whose pod someone else deleted (or is deleting). */
export function toPodDeletedConditions(podName: string, isGone: boolean): DriverCondition[] {
  const what = isGone ? 'was deleted' : 'is being deleted';
  return [backendNotReady(PodReason.PodDeleted, `pod ${podName} ${what} outside Shellgate; start the sandbox to recreate it`), notSuspended()];
}
