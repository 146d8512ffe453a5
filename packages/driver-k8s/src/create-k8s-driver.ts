import { InvalidArgumentError, currentDriverPlatform, prepareDriverRuntime, toGatewayOwnedLabels } from '@shellgate/driver-sdk';
import type { DriverPlatform, Logger, SupervisorRuntime } from '@shellgate/driver-sdk';

import { checkClusterAccess, toRequiredPermissions } from './cluster/check-cluster-access.js';
import { ClientNodeApi } from './cluster/client-node-api.js';
import type { KubeApi } from './cluster/kube-api.js';
import { loadKubeConfig } from './cluster/load-kube-config.js';
import type { ImagePullPolicy, K8sDriverConfig } from './config.js';
import { K8sDriver } from './k8s-driver.js';
import { findSupervisorTlsSecret } from './pod/supervisor-tls-secret.js';
import type { K8sDriverSettings } from './settings.js';

/** The platform facts `createK8sDriver` reads; real values by default. */
export interface K8sDriverPlatform extends DriverPlatform {
  /** Connects to the cluster; the real API by default (tests pass a fake). */
  readonly connect?: (config: K8sDriverConfig, logger: Logger) => { readonly api: KubeApi; readonly source: string };
}

/** The runtime image's repository; its tag is the supervisor version (build-runtime-image.sh). */
export const RUNTIME_IMAGE_REPOSITORY = 'shellgate/supervisor-runtime';

/** The runtime image a bundle of `supervisorVersion` ships in, unless `supervisor_runtime_image` says otherwise. */
export function toDefaultRuntimeImage(supervisorVersion: string): string {
  return `${RUNTIME_IMAGE_REPOSITORY}:${supervisorVersion || 'latest'}`;
}

/** Turns resolved config keys and the supervisor bundle into the driver's settings (`supervisorTls` is found later, on the cluster). */
export function toK8sDriverSettings(config: K8sDriverConfig, runtime: SupervisorRuntime | undefined): K8sDriverSettings {
  const endpoint = config.gateway_endpoint ?? '';
  if (endpoint === '') {
    throw new InvalidArgumentError('gateway_endpoint is not set: sandbox pods need the address they call the gateway back on', {
      hint: 'set gateway_endpoint = "http://<node-reachable IP of the gateway>:17670" (gateway outside the cluster) or "http://<gateway Service>:17670" (in the cluster)',
    });
  }
  return {
    namespace: config.namespace,
    gatewayId: config.gateway_id,
    defaultImage: config.default_image,
    imagePullPolicy: config.image_pull_policy as ImagePullPolicy,
    imagePullFailureMs: config.image_pull_failure_seconds * 1000,
    gatewayEndpoint: endpoint,
    storageClass: (config.storage_class ?? '') === '' ? undefined : config.storage_class,
    storageSize: config.storage_size,
    hasNetworkPolicy: config.network_policy,
    stopGraceSeconds: config.stop_grace_seconds,
    dnsPolicy: config.dns_policy === 'Default' ? 'Default' : 'ClusterFirst',
    supervisor: runtime === undefined ? undefined : { runtime, runtimeImage: config.supervisor_runtime_image || toDefaultRuntimeImage(runtime.supervisorVersion) },
    isTokenExposedToAgent: config.expose_token_to_agent,
    supervisorTls: undefined,
  };
}

function connectToCluster(config: K8sDriverConfig, logger: Logger, platform: K8sDriverPlatform): { readonly api: KubeApi; readonly source: string } {
  const access = loadKubeConfig({ configured: config.kubeconfig ?? '', context: config.context ?? '', env: platform.env, homeDir: platform.homeDir, logger });
  return { api: new ClientNodeApi(access.config, config.namespace, config.api_timeout_seconds * 1000), source: access.source };
}

/**
 * Builds and starts the Kubernetes driver from its config: reads the supervisor bundle's
 * manifest (`supervisor_runtime_dir`, else one built once from the installed
 * @shellgate/supervisor), finds cluster access (the documented order), checks that the API
 * server answers, accepts the credentials and grants every permission the driver uses, makes
 * sure the namespace exists, then keeps the isolation policy and starts the informer.
 * @throws KubernetesAccessError or InvalidArgumentError (exit 2) naming server, identity and what is missing.
 */
export async function createK8sDriver(
  config: K8sDriverConfig,
  logger: Logger,
  platform: K8sDriverPlatform = currentDriverPlatform(),
): Promise<K8sDriver> {
  const { supervisorRuntime: runtime } = await prepareDriverRuntime({ driverDirName: 'driver-k8s', config, platform, logger, moduleUrl: import.meta.url });
  let settings = toK8sDriverSettings(config, runtime);
  const { api, source } = (platform.connect ?? ((c, l) => connectToCluster(c, l, platform)))(config, logger);
  const permissions = toRequiredPermissions({ hasVolumeClaims: settings.storageClass !== undefined, hasNetworkPolicy: settings.hasNetworkPolicy });
  const { user } = await checkClusterAccess(api, { permissions, namespaceLabels: toGatewayOwnedLabels(settings.gatewayId), source, logger }, AbortSignal.timeout(config.api_timeout_seconds * 1000));
  const tlsSecret = config.supervisor_tls_secret ?? '';
  if (tlsSecret !== '' && settings.supervisor !== undefined) {
    settings = { ...settings, supervisorTls: await findSupervisorTlsSecret(api, tlsSecret, settings.gatewayEndpoint, AbortSignal.timeout(config.api_timeout_seconds * 1000)) };
  }
  logger.info('k8s driver configured', {
    server: api.server,
    clusterAccess: source,
    user,
    namespace: settings.namespace,
    gatewayId: settings.gatewayId,
    gatewayEndpoint: settings.gatewayEndpoint,
    imagePullPolicy: settings.imagePullPolicy,
    storageClass: settings.storageClass ?? 'none (emptyDir)',
    runtimeImage: settings.supervisor?.runtimeImage ?? 'none',
    supervisorTls: settings.supervisorTls === undefined ? 'system roots' : `Secret ${settings.supervisorTls.name}${settings.supervisorTls.hasClientCertificate ? ' (CA and client certificate)' : ' (CA)'}`,
    supervisorVersion: runtime?.supervisorVersion ?? 'none',
  });
  const driver = new K8sDriver({ api, settings, logger });
  await driver.start();
  return driver;
}
