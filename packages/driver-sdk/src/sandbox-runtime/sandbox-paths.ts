/**
 * Where things live inside every sandbox, whatever the driver: the same paths on Docker,
 * Podman, Kubernetes and VMs, so the supervisor and the docs name one place. Both roots sit
 * under the SDK's reserved mount targets (`RESERVED_MOUNT_TARGETS`), so no user mount can
 * shadow them.
 */

/** The supervisor runtime bundle, mounted read-only. */
export const SUPERVISOR_RUNTIME_TARGET = '/opt/shellgate/runtime';

/**
 * The files the supervisor uses to reach a gateway serving TLS with a private CA (and, when it
 * asks for client certificates, a certificate and key), mounted read-only where a driver
 * delivers them: OPENSHELL_TLS_CA_FILE, _CERT_FILE and _KEY_FILE name them.
 */
export const SUPERVISOR_TLS_TARGETS = {
  caFile: '/opt/shellgate/tls/ca.pem',
  certFile: '/opt/shellgate/tls/client.pem',
  keyFile: '/opt/shellgate/tls/client-key.pem',
} as const;

/**
 * The sandbox token file (0600): the supervisor reads it once and empties it, so nothing else
 * in the sandbox finds the token; the driver writes it again before every start.
 */
export const SANDBOX_TOKEN_TARGET = '/run/shellgate/sandbox-token';

/**
 * The name sandboxes resolve to the gateway's callback address (OpenShell's name, so an
 * upstream supervisor image finds the gateway too).
 */
export const GATEWAY_CALLBACK_HOSTNAME = 'host.openshell.internal';

/** `OPENSHELL_ENDPOINT` for a sandbox that reaches the gateway as {@link GATEWAY_CALLBACK_HOSTNAME}. */
export function toCallbackEndpoint(scheme: 'http' | 'https', port: number, host: string = GATEWAY_CALLBACK_HOSTNAME): string {
  return `${scheme}://${host}:${port}`;
}
