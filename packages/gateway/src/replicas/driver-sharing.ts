import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';
import type { DriverSpec } from '../drivers/index.js';

/**
 * Driver-table key the gateway keeps for itself: whether every replica's instance of the
 * driver sees the same backend (`[drivers.NAME] shared_backend = true`).
 */
export const SHARED_BACKEND_KEY = 'shared_backend';

/** What each built-in driver's backend is when the operator does not say. */
const BUILTIN_BACKENDS: Readonly<Record<string, { readonly isShared: boolean; readonly where: string }>> = {
  k8s: { isShared: true, where: 'in the Kubernetes cluster, which every replica reaches' },
  docker: { isShared: false, where: 'on the Docker engine of the host the replica runs on' },
  podman: { isShared: false, where: 'in the Podman service of the host the replica runs on' },
  vm: { isShared: false, where: 'as VMs on the host the replica runs on' },
};

/** A configured driver and its `shared_backend` setting, if the operator gave one. */
export interface DriverSharing<Spec extends Pick<DriverSpec, 'name' | 'origin'> = Pick<DriverSpec, 'name' | 'origin'>> {
  readonly spec: Spec;
  readonly sharedBackend: boolean | undefined;
}

/**
 * Takes the gateway's own `shared_backend` key out of every driver table, whether or not the
 * gateway is replicated: one driver table then serves a single gateway and replicas alike,
 * and a driver never meets a key that is not its own.
 */
export function splitDriverSharing<Spec extends Pick<DriverSpec, 'name' | 'origin' | 'driverConfig'>>(specs: readonly Spec[]): DriverSharing<Spec>[] {
  return specs.map((spec) => {
    const { [SHARED_BACKEND_KEY]: sharedBackend, ...driverConfig } = spec.driverConfig;
    if (sharedBackend !== undefined && typeof sharedBackend !== 'boolean') {
      throw new ShellgateError(ErrorCode.InvalidArgument, `${spec.origin}.${SHARED_BACKEND_KEY} must be true or false`, {
        hint: `write ${SHARED_BACKEND_KEY} = true when every gateway replica's ${spec.name} driver sees the same sandboxes`,
      });
    }
    return { spec: { ...spec, driverConfig }, sharedBackend };
  });
}

/**
 * Refuses a replicated gateway (several replicas on one Postgres) with a driver whose
 * backend is local to one host: a sandbox created through one replica would be missing
 * from every other replica's driver, whose reconcile would then prune it. A driver named
 * after a built-in has a known backend (k8s shared; docker, podman and vm local), whether
 * spawned or dialed; any other driver, or a built-in on a remote engine
 * (DOCKER_HOST=tcp://…), says so with `shared_backend`.
 */
export function assertDriversReplicable(drivers: readonly DriverSharing[]): void {
  for (const { spec, sharedBackend } of drivers) {
    if (sharedBackend === true) continue;
    // By name, however it is reached: the Kubernetes driver often runs as a sidecar the gateway dials.
    const builtin = BUILTIN_BACKENDS[spec.name];
    if (sharedBackend === undefined && builtin?.isShared === true) continue;
    const reason = sharedBackend === false
      ? `its table says ${SHARED_BACKEND_KEY} = false`
      : builtin !== undefined
        ? `it keeps its sandboxes ${builtin.where}`
        : `the gateway cannot tell whether every replica's instance of it sees the same sandboxes`;
    throw new ShellgateError(ErrorCode.FailedPrecondition, `driver ${JSON.stringify(spec.name)} (${spec.origin}) cannot serve gateway replicas sharing a Postgres database: ${reason}`, {
      hint: `a sandbox created through one replica must be visible to every other replica's driver, or their reconcile prunes it; run a single gateway (SQLite) for a host-local driver, or set ${SHARED_BACKEND_KEY} = true in [drivers.${spec.name}] when its backend is shared (a remote engine, a cluster); see docs/replicas.md`,
      details: { driver: spec.name, origin: spec.origin },
    });
  }
}
