import { asRecord, readString, readStringMap } from './json-record.js';

/** Container states in Docker's vocabulary (`State.Status`), which Podman's compat tree also reports. */
export const ContainerState = {
  Created: 'created',
  Running: 'running',
  Paused: 'paused',
  Restarting: 'restarting',
  Removing: 'removing',
  Exited: 'exited',
  Dead: 'dead',
} as const;
export type ContainerState = (typeof ContainerState)[keyof typeof ContainerState];

/** What a driver needs to know about one container. */
export interface ContainerInfo {
  readonly id: string;
  /** Without Docker's leading slash. */
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  /** An unknown engine state passes through as the engine wrote it, for the driver to report. */
  readonly state: ContainerState;
  readonly exitCode: number;
  readonly isOomKilled: boolean;
  /** The engine's error text for a failed start or a dead container; empty otherwise. */
  readonly error: string;
}

/**
 * Libpod's own states (`/libpod/containers/{id}/json`) in Docker's words, as Podman's compat
 * tree translates them (LibpodToContainerJSON in pkg/api/handlers/compat/containers.go).
 */
const LIBPOD_STATES: ReadonlyMap<string, ContainerState> = new Map([
  ['configured', ContainerState.Created],
  ['stopping', ContainerState.Running],
  ['stopped', ContainerState.Exited],
]);

/**
 * A container inspect answer as a {@link ContainerInfo}: Docker's `/containers/{id}/json`,
 * Podman's compat one, or libpod's `/libpod/containers/{id}/json` (same fields; no slash
 * before the name, and its own states, mapped to Docker's).
 */
export function decodeContainerInspect(inspect: unknown): ContainerInfo {
  const record = asRecord(inspect);
  const state = asRecord(record['State']);
  const status = readString(state, 'Status') ?? ContainerState.Dead;
  return {
    id: readString(record, 'Id') ?? '',
    name: (readString(record, 'Name') ?? '').replace(/^\//, ''),
    labels: readStringMap(asRecord(record['Config']), 'Labels'),
    state: LIBPOD_STATES.get(status) ?? (status as ContainerState),
    exitCode: typeof state['ExitCode'] === 'number' ? state['ExitCode'] : 0,
    isOomKilled: state['OOMKilled'] === true,
    error: readString(state, 'Error') ?? '',
  };
}
