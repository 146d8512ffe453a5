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
 * `/networks/{name}`). Libpod's `/libpod/networks/{name}/json` is netavark's own shape:
 * {@link decodeLibpodNetworkInspect}.
 */
export function decodeNetworkInspect(inspect: unknown): NetworkInfo {
  const record = asRecord(inspect);
  const configs = asRecord(record['IPAM'])['Config'];
  const gateway = Array.isArray(configs) ? configs.map(asRecord).map((config) => readString(config, 'Gateway')).find((ip) => ip !== undefined && ip !== '') : undefined;
  return { id: readString(record, 'Id') ?? '', name: readString(record, 'Name') ?? '', gatewayIp: gateway, options: readStringMap(record, 'Options') };
}

/** A libpod network: what {@link NetworkInfo} says, plus the host's bridge device. */
export interface LibpodNetworkInfo extends NetworkInfo {
  /** The bridge device on the host (`network_interface`, e.g. `podman1`); empty when the engine names none. */
  readonly interfaceName: string;
}

/**
 * A libpod network inspect answer (`/libpod/networks/{name}/json`, also the body `POST
 * /libpod/networks/create` answers): netavark's shape, the gateway of the first subnet that
 * has one.
 */
export function decodeLibpodNetworkInspect(inspect: unknown): LibpodNetworkInfo {
  const record = asRecord(inspect);
  const subnets = record['subnets'];
  const gateway = Array.isArray(subnets) ? subnets.map(asRecord).map((subnet) => readString(subnet, 'gateway')).find((ip) => ip !== undefined && ip !== '') : undefined;
  return {
    id: readString(record, 'id') ?? '',
    name: readString(record, 'name') ?? '',
    gatewayIp: gateway,
    options: readStringMap(record, 'options'),
    interfaceName: readString(record, 'network_interface') ?? '',
  };
}
