import { posix } from 'node:path';

import { InvalidArgumentError, SUPERVISOR_TLS_TARGETS } from '@shellgate/driver-sdk';
import type { V1Secret, V1Volume, V1VolumeMount } from '@kubernetes/client-node';

import type { KubeApi } from '../cluster/kube-api.js';

/** The Secret's keys: what cert-manager writes for a Certificate (`ca.crt`, `tls.crt`, `tls.key`). */
export const TLS_SECRET_KEYS = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;

/** The operator's Secret of supervisor TLS files, as found at start. */
export interface SupervisorTlsSecret {
  readonly name: string;
  /** It holds `tls.crt` and `tls.key`: a client certificate for a gateway that asks for one. */
  readonly hasClientCertificate: boolean;
}

const VOLUME_NAME = 'shellgate-tls';
const TARGET_DIR = posix.dirname(SUPERVISOR_TLS_TARGETS.caFile);

/**
 * Reads `supervisor_tls_secret` in the driver's namespace and checks it: `ca.crt` present,
 * `tls.crt` and `tls.key` both or neither, and an `https` gateway endpoint, so a mistake fails
 * the driver's start rather than leaving every sandbox unable to connect.
 * @throws InvalidArgumentError naming the Secret and what to change.
 */
export async function findSupervisorTlsSecret(api: KubeApi, name: string, gatewayEndpoint: string, signal: AbortSignal): Promise<SupervisorTlsSecret> {
  if (!gatewayEndpoint.startsWith('https://')) {
    throw new InvalidArgumentError(`supervisor_tls_secret ${JSON.stringify(name)} is set but gateway_endpoint ${JSON.stringify(gatewayEndpoint)} is not https`, {
      hint: 'the Secret is for a gateway serving TLS: use an https:// gateway_endpoint, or unset supervisor_tls_secret',
    });
  }
  const secret: V1Secret | undefined = await api.readSecret(name, signal);
  const where = `Secret ${JSON.stringify(name)} in namespace ${JSON.stringify(api.namespace)}`;
  const create = `kubectl -n ${api.namespace} create secret generic ${name} --from-file=ca.crt=CA.pem [--from-file=tls.crt=CLIENT.pem --from-file=tls.key=CLIENT-KEY.pem]`;
  if (secret === undefined) throw new InvalidArgumentError(`supervisor_tls_secret: ${where} does not exist`, { hint: `create it: ${create}` });
  const keys = new Set(Object.keys(secret.data ?? {}));
  if (!keys.has(TLS_SECRET_KEYS.ca)) {
    throw new InvalidArgumentError(`supervisor_tls_secret: ${where} has no ${TLS_SECRET_KEYS.ca}`, { hint: `it needs the CA that signed the gateway's certificate: ${create}` });
  }
  if (keys.has(TLS_SECRET_KEYS.cert) !== keys.has(TLS_SECRET_KEYS.key)) {
    throw new InvalidArgumentError(`supervisor_tls_secret: ${where} has only one of ${TLS_SECRET_KEYS.cert} and ${TLS_SECRET_KEYS.key}`, {
      hint: 'a client certificate needs its key: give both, or neither for a gateway that asks for none',
    });
  }
  return { name, hasClientCertificate: keys.has(TLS_SECRET_KEYS.cert) };
}

/** The Secret's files as a read-only volume at the SDK's TLS paths (every sandbox process may read them). */
export function toSupervisorTlsVolume(tls: SupervisorTlsSecret): V1Volume {
  const items: { key: string; path: string }[] = [{ key: TLS_SECRET_KEYS.ca, path: posix.basename(SUPERVISOR_TLS_TARGETS.caFile) }];
  if (tls.hasClientCertificate) {
    items.push({ key: TLS_SECRET_KEYS.cert, path: posix.basename(SUPERVISOR_TLS_TARGETS.certFile) }, { key: TLS_SECRET_KEYS.key, path: posix.basename(SUPERVISOR_TLS_TARGETS.keyFile) });
  }
  return { name: VOLUME_NAME, secret: { secretName: tls.name, items, defaultMode: 0o444 } };
}

export function toSupervisorTlsMount(): V1VolumeMount {
  return { name: VOLUME_NAME, mountPath: TARGET_DIR, readOnly: true };
}
