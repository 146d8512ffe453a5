import { FakeContainerEngine } from '@shellgate/container-engine/testing';

import type { ContainerCreateSpec, DockerEngine, EngineInfo, NetworkCreateSpec, NetworkInfo } from '../engine/docker-engine.js';

export { engineHttpError } from '@shellgate/container-engine/testing';

/**
 * An in-memory Docker engine for unit tests: the shared fake's images, containers and events
 * (Docker's stop: `die` then `stop`), plus networks and `docker info`.
 */
export class FakeDockerEngine extends FakeContainerEngine<ContainerCreateSpec> implements DockerEngine {
  readonly networks = new Map<string, NetworkInfo>();
  info_: EngineInfo = { serverVersion: '20.10.24', runtimes: ['runc'], cdiSpecDirs: [] };

  constructor() {
    super('unix:///fake/docker.sock');
  }

  async ping(): Promise<void> {}

  async info(): Promise<EngineInfo> {
    this.takeFailure('info');
    return this.info_;
  }

  async inspectNetwork(name: string): Promise<NetworkInfo | undefined> {
    return this.networks.get(name);
  }

  async createNetwork(spec: NetworkCreateSpec): Promise<NetworkInfo> {
    const network = { id: `n-${spec.name}`, name: spec.name, gatewayIp: '172.30.0.1', options: { 'com.docker.network.bridge.enable_icc': String(spec.isInterContainerTrafficEnabled) } };
    this.networks.set(spec.name, network);
    return network;
  }
}
