import { FakeContainerEngine } from '@shellgate/container-engine/testing';

import type { AnchorPodSpec, EnginePing, LibpodNetworkInfo, NetworkCreateSpec, PodmanCreateSpec, PodmanEngine, PodmanInfo } from '../engine/podman-engine.js';

export { engineHttpError } from '@shellgate/container-engine/testing';

/**
 * An in-memory Podman service for unit tests: the shared fake's images, containers and
 * events, with Podman 4.3's stop (a `died` with 143, read as `die`, and no `stop` event),
 * plus `/_ping`, `/libpod/info` and netavark networks with a bridge device.
 */
export class FakePodmanEngine extends FakeContainerEngine<PodmanCreateSpec> implements PodmanEngine {
  readonly networks = new Map<string, LibpodNetworkInfo>();
  /** Running pods by name. */
  readonly pods = new Map<string, AnchorPodSpec>();
  ping_: EnginePing = { apiVersion: '1.41', libpodApiVersion: '4.3.1' };
  info_: PodmanInfo = { version: '4.3.1', isRootless: false, cgroupVersion: 'v1' };
  /** Stop timeouts asked for, in order. */
  readonly stopTimeouts: number[] = [];
  /** How many times a pod was ensured. */
  ensurePodCalls = 0;
  /** While set, `ensurePod` waits for it: a pod start still in flight. */
  podStartHold: Promise<void> | undefined;

  constructor() {
    super('unix:///fake/podman.sock');
  }

  async ping(): Promise<EnginePing> {
    return this.ping_;
  }

  async info(): Promise<PodmanInfo> {
    this.takeFailure('info');
    return this.info_;
  }

  override async stopContainer(id: string, timeoutSeconds = 0): Promise<void> {
    this.takeFailure('stop');
    this.stopTimeouts.push(timeoutSeconds);
    const container = this.containers.get(id);
    if (container === undefined) throw Object.assign(new Error(`no container with name or ID "${id}" found`), { statusCode: 404 });
    if (container.info.state !== 'running') return;
    container.info.state = 'exited';
    container.info.exitCode = 143;
    this.emit(id, 'die', { exitCode: 143 });
  }

  async ensurePod(spec: AnchorPodSpec): Promise<void> {
    this.ensurePodCalls += 1;
    await this.podStartHold;
    this.pods.set(spec.name, spec);
  }

  async inspectNetwork(name: string): Promise<LibpodNetworkInfo | undefined> {
    return this.networks.get(name);
  }

  async createNetwork(spec: NetworkCreateSpec): Promise<LibpodNetworkInfo> {
    const network = { id: `n-${spec.name}`, name: spec.name, gatewayIp: '10.89.0.1', options: {}, interfaceName: 'podman1' };
    this.networks.set(spec.name, network);
    return network;
  }
}
