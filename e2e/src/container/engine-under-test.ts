// The container engine a shared e2e suite runs against (STYLE.md rule 20: Docker and Podman
// share one suite). Each engine module (docker/docker-engine.ts, podman/podman-engine.ts)
// describes its engine with one of these: its CLI, its driver binary, its script and what it
// does differently; the suites in this folder take one and never name an engine themselves.
import type { CommandResult } from '../docker/docker-engine.js';

/** What `docker inspect` / `podman inspect` say about one container (the fields the tests read; both CLIs write them alike). */
export interface ContainerInspect {
  readonly Id: string;
  readonly Name: string;
  readonly State: { readonly Status: string; readonly Running: boolean; readonly ExitCode: number; readonly Pid: number };
  readonly Config: { readonly Env: string[] | null; readonly Labels: Record<string, string> | null; readonly Image: string; readonly Cmd: string[] | null };
  readonly HostConfig: { readonly NanoCpus: number; readonly Memory: number; readonly PidsLimit: number | null; readonly RestartPolicy: { readonly Name: string } };
  readonly Mounts: readonly { readonly Type: string; readonly Source: string; readonly Destination: string; readonly RW: boolean }[];
}

/** A value of a driver's TOML config. */
export type DriverConfigValue = string | number | boolean;

export interface EngineUnderTest {
  /** The driver's name: `[drivers.NAME]`, `driver_config.NAME`, GetCapabilities' `driver_name`. */
  readonly name: 'docker' | 'podman';
  /** For test titles: `Docker`, `Podman`. */
  readonly displayName: string;
  /** The engine's CLI, which the tests use as an operator would. */
  readonly cli: string;
  /** The installed `shellgate-driver-<name>` binary. */
  readonly driverBin: string;
  /** The conformance claims file checked in beside the engine's suites. */
  readonly claimsFile: string;
  /** `/proc/1/comm` of a sandbox under the supervisor: the engine's init. */
  readonly initProcessName: string;
  /** Fails (never skips) unless the engine answers and has the test image, naming the script to run. */
  require(): Promise<void>;
  /** `CLI ARGS`; rejects with the command and its stderr when it fails. */
  run(args: readonly string[], timeoutMs?: number): Promise<string>;
  /** `CLI ARGS`; answers how it ended. */
  runResult(args: readonly string[], timeoutMs?: number): Promise<CommandResult>;
  inspect(idOrName: string): Promise<ContainerInspect>;
  /** Full ids of containers (any state) carrying `key=value`. */
  containersWithLabel(key: string, value: string): Promise<string[]>;
  /** Removes every container on an e2e network, then the network; for cleanups that cannot wait for a driver. */
  removeNetworkAndContainers(networkName: string): Promise<void>;
  /** Removes an e2e network; its containers must be gone. Missing is fine. */
  removeNetwork(networkName: string): Promise<void>;
  /** Settings of this engine's driver that e2e drivers get on top of the shared defaults. */
  readonly driverConfig: Readonly<Record<string, DriverConfigValue>>;
}
