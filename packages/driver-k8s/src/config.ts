import { GATEWAY_ID_ENV, defineConfig } from '@shellgate/driver-sdk';
import type { ConfigValues } from '@shellgate/driver-sdk';

/** When the kubelet pulls an image: Kubernetes' own values. */
export const ImagePullPolicy = {
  Always: 'Always',
  IfNotPresent: 'IfNotPresent',
  Never: 'Never',
} as const;
export type ImagePullPolicy = (typeof ImagePullPolicy)[keyof typeof ImagePullPolicy];

/** The Kubernetes client's own default is no timeout; upstream OpenShell bounds every call by 30 s. */
export const DEFAULT_API_TIMEOUT_SECONDS = 30;

/**
 * Every setting of `shellgate-driver-k8s` (flag > env > `--config` TOML > default).
 * `--help` prints this list, and the package README documents the same keys.
 */
export const k8sDriverConfig = defineConfig({
  keys: {
    kubeconfig: {
      type: 'string',
      env: 'SHELLGATE_K8S_KUBECONFIG',
      flag: '--kubeconfig',
      description: 'kubeconfig file to use; unset: KUBECONFIG, then ~/.kube/config, then the in-cluster service account (first hit wins, each skip is logged)',
    },
    context: {
      type: 'string',
      env: 'SHELLGATE_K8S_CONTEXT',
      flag: '--context',
      description: "kubeconfig context to use; unset: the file's current-context",
    },
    namespace: {
      type: 'string',
      default: 'shellgate',
      env: 'SHELLGATE_K8S_NAMESPACE',
      flag: '--namespace',
      description: 'namespace of every sandbox pod, secret and volume claim; created at start when missing and allowed',
    },
    api_timeout_seconds: {
      type: 'integer',
      default: DEFAULT_API_TIMEOUT_SECONDS,
      min: 1,
      max: 600,
      env: 'SHELLGATE_K8S_API_TIMEOUT_SECONDS',
      flag: '--api-timeout-seconds',
      description: 'bound of every Kubernetes API call (watches excepted) (upstream: 30)',
    },
    default_image: {
      type: 'string',
      default: 'docker.io/library/busybox:latest',
      env: 'SHELLGATE_K8S_DEFAULT_IMAGE',
      flag: '--default-image',
      description: 'image for sandboxes that name none (reported as default_image in GetCapabilities)',
    },
    image_pull_policy: {
      type: 'string',
      default: ImagePullPolicy.IfNotPresent,
      choices: Object.values(ImagePullPolicy),
      env: 'SHELLGATE_K8S_IMAGE_PULL_POLICY',
      flag: '--image-pull-policy',
      description: "imagePullPolicy of sandbox and runtime containers; Never for clusters whose images are loaded into the nodes' runtime",
    },
    image_pull_failure_seconds: {
      type: 'integer',
      default: 60,
      min: 0,
      env: 'SHELLGATE_K8S_IMAGE_PULL_FAILURE_SECONDS',
      flag: '--image-pull-failure-seconds',
      description: 'how long ErrImagePull / ImagePullBackOff may last before the sandbox fails with ImagePullFailed (0: at the first failure)',
    },
    gateway_endpoint: {
      type: 'string',
      env: 'SHELLGATE_K8S_GATEWAY_ENDPOINT',
      flag: '--gateway-endpoint',
      description:
        'OPENSHELL_ENDPOINT of every sandbox, the gateway as pods reach it: http(s)://SERVICE.NAMESPACE:PORT when the gateway runs in the cluster, ' +
        'http(s)://NODE-REACHABLE-IP:PORT when it runs outside (the gateway is asked to listen there when the IP is local); required with inject_supervisor',
    },
    storage_class: {
      type: 'string',
      env: 'SHELLGATE_K8S_STORAGE_CLASS',
      flag: '--storage-class',
      description: 'storage class of a PersistentVolumeClaim per sandbox mounted at /sandbox (survives stop/start); unset: an emptyDir (lost on stop)',
    },
    storage_size: {
      type: 'string',
      default: '1Gi',
      env: 'SHELLGATE_K8S_STORAGE_SIZE',
      flag: '--storage-size',
      description: 'requested size of each sandbox volume claim (a Kubernetes quantity)',
    },
    network_policy: {
      type: 'boolean',
      default: true,
      env: 'SHELLGATE_K8S_NETWORK_POLICY',
      flag: '--network-policy',
      description: 'keep one NetworkPolicy that denies all ingress to sandbox pods, so sandboxes cannot reach each other (where the cluster enforces policies)',
    },
    dns_policy: {
      type: 'string',
      default: 'ClusterFirst',
      choices: ['ClusterFirst', 'Default'],
      env: 'SHELLGATE_K8S_DNS_POLICY',
      flag: '--dns-policy',
      description: "dnsPolicy of sandbox pods: ClusterFirst (cluster DNS), or Default (the node's resolver: clusters without cluster DNS, where ClusterFirst makes the kubelet warn on every pod)",
    },
    stop_grace_seconds: {
      type: 'integer',
      default: 10,
      min: 0,
      env: 'SHELLGATE_K8S_STOP_GRACE_SECONDS',
      flag: '--stop-grace-seconds',
      description: 'terminationGracePeriodSeconds of a stopped sandbox pod: SIGTERM, then SIGKILL after this long',
    },
    supervisor_runtime_image: {
      type: 'string',
      env: 'SHELLGATE_K8S_SUPERVISOR_RUNTIME_IMAGE',
      flag: '--supervisor-runtime-image',
      description:
        'image holding the supervisor runtime bundle at /opt/shellgate/runtime and a static /bin/busybox, which an init container copies into every pod ' +
        '(built by scripts/build-runtime-image.sh); unset: shellgate/supervisor-runtime:<supervisor version>',
    },
    supervisor_runtime_dir: {
      type: 'string',
      env: 'SHELLGATE_K8S_SUPERVISOR_RUNTIME_DIR',
      flag: '--supervisor-runtime-dir',
      description:
        "a local copy of the bundle in the runtime image (shellgate-supervisor-bundle --out DIR), read for its manifest's entrypoint; " +
        'unset: built once from the installed @shellgate/supervisor into STATE_DIR/runtime',
    },
    inject_supervisor: {
      type: 'boolean',
      default: true,
      env: 'SHELLGATE_K8S_INJECT_SUPERVISOR',
      flag: '--inject-supervisor',
      description: "run the Shellgate supervisor as every sandbox's entrypoint; false: none, and the gateway needs requires_supervisor = false",
    },
    supervisor_tls_secret: {
      type: 'string',
      env: 'SHELLGATE_K8S_SUPERVISOR_TLS_SECRET',
      flag: '--supervisor-tls-secret',
      description:
        'Secret in the namespace with ca.crt (the CA of an https gateway) and, for a gateway that asks for client certificates, tls.crt and tls.key ' +
        '(the keys cert-manager writes); mounted read-only at /opt/shellgate/tls in every sandbox. Unset: the supervisor trusts the system roots',
    },
    expose_token_to_agent: {
      type: 'boolean',
      default: false,
      env: 'SHELLGATE_K8S_EXPOSE_TOKEN_TO_AGENT',
      flag: '--expose-token-to-agent',
      description: 'mount the token Secret read-only into the sandbox container and leave it readable (for images whose own processes read it); weakens isolation',
    },
    state_dir: {
      type: 'string',
      env: 'SHELLGATE_K8S_STATE_DIR',
      flag: '--state-dir',
      description:
        'directory for the supervisor bundle the driver builds itself (created 0700); default /var/lib/shellgate/driver-k8s as root, ' +
        'else $XDG_STATE_HOME/shellgate/driver-k8s or ~/.local/state/shellgate/driver-k8s',
    },
    gateway_id: {
      type: 'string',
      default: 'standalone',
      env: GATEWAY_ID_ENV,
      flag: '--gateway-id',
      description: 'id of the owning gateway, put on every object as a label; list and watch only see its objects',
    },
  },
});

/** The resolved settings, as `runDriverMain` hands them to `createDriver`. */
export type K8sDriverConfig = ConfigValues<(typeof k8sDriverConfig)['keys']>;
