import { asRecord, readString, readStringMap } from './json-record.js';

export interface NetworkInfo {
  readonly id: string;
  readonly name: string;
  /** Gateway address of the first IPAM config, if the engine reports one. */
  readonly gatewayIp: string | undefined;
  /** The driver options it was created with (`Options`), e.g. `com.docker.network.bridge.enable_icc`. */
  readonly options: Readonly<Record<string, string>>;
}

/**
 * A network inspect answer in the Docker-compatible shape (Docker's and Podman's compat
 * `/networks/{name}`). Libpod's `/libpod/networks/{name}/json` is netavark's own shape
 * (`subnets[].gateway`) and is not read here.
 */
export function decodeNetworkInspect(inspect: unknown): NetworkInfo {
  const record = asRecord(inspect);
  const configs = asRecord(record['IPAM'])['Config'];
  const gateway = Array.isArray(configs) ? configs.map(asRecord).map((config) => readString(config, 'Gateway')).find((ip) => ip !== undefined && ip !== '') : undefined;
  return { id: readString(record, 'Id') ?? '', name: readString(record, 'Name') ?? '', gatewayIp: gateway, options: readStringMap(record, 'Options') };
}
