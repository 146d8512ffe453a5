import { ImagePullPolicy, OWNING_GATEWAY_CONFIG_KEYS } from '@shellgate/container-engine';
import { GATEWAY_CALLBACK_CONFIG_KEYS, SUPERVISOR_TLS_CONFIG_KEYS, defineConfig } from '@shellgate/driver-sdk';
import type { ConfigValues } from '@shellgate/driver-sdk';

/** How sandboxes are networked; `auto` picks `bridge` rootful and `slirp4netns` rootless. */
export const NetworkMode = {
  Auto: 'auto',
  /** A managed netavark bridge (rootful): the gateway binds the bridge's gateway address. */
  Bridge: 'bridge',
  /** User-mode networking per sandbox (rootless): the gateway binds the default-route address. */
  Slirp4netns: 'slirp4netns',
  /** Like slirp4netns, with passt (Podman 4.4+). */
  Pasta: 'pasta',
} as const;
export type NetworkMode = (typeof NetworkMode)[keyof typeof NetworkMode];

/**
 * Every setting of `shellgate-driver-podman` (flag > env > `--config` TOML > default).
 * `--help` prints this list, and the package README documents the same keys.
 */
export const podmanDriverConfig = defineConfig({
  keys: {
    podman_socket: {
      type: 'string',
      env: 'SHELLGATE_PODMAN_SOCKET',
      flag: '--podman-socket',
      description:
        'Podman API service endpoint (unix:///path or tcp://host:port); unset: CONTAINER_HOST, then the first socket found of ' +
        '$XDG_RUNTIME_DIR/podman/podman.sock (rootless), /run/podman/podman.sock (rootful)',
    },
    default_image: {
      type: 'string',
      default: 'docker.io/library/busybox:latest',
      env: 'SHELLGATE_PODMAN_DEFAULT_IMAGE',
      flag: '--default-image',
      description: 'image for sandboxes that name none (reported as default_image in GetCapabilities); fully qualified, as Podman resolves no short names without a terminal',
    },
    image_pull_policy: {
      type: 'string',
      default: ImagePullPolicy.IfNotPresent,
      choices: Object.values(ImagePullPolicy),
      env: 'SHELLGATE_PODMAN_IMAGE_PULL_POLICY',
      flag: '--image-pull-policy',
      description: 'Always pulls before every create; IfNotPresent pulls a missing image; Never only uses local images',
    },
    network_mode: {
      type: 'string',
      default: NetworkMode.Auto,
      choices: Object.values(NetworkMode),
      env: 'SHELLGATE_PODMAN_NETWORK_MODE',
      flag: '--network-mode',
      description: 'bridge: the managed network_name (rootful only); slirp4netns or pasta: user-mode networking per sandbox; auto: bridge rootful, slirp4netns rootless',
    },
    network_name: {
      type: 'string',
      default: 'shellgate',
      env: 'SHELLGATE_PODMAN_NETWORK',
      flag: '--network-name',
      description: 'bridge network sandboxes join (network_mode bridge); created with our labels if missing, reused if present',
    },
    host_gateway_ip: {
      type: 'string',
      env: 'SHELLGATE_PODMAN_HOST_GATEWAY_IP',
      flag: '--host-gateway-ip',
      description: "address sandboxes reach the gateway on (host.openshell.internal) with network_mode bridge; default: the network's gateway IP",
    },
    allow_sandbox_to_sandbox: {
      type: 'boolean',
      default: false,
      env: 'SHELLGATE_PODMAN_ALLOW_SANDBOX_TO_SANDBOX',
      flag: '--allow-sandbox-to-sandbox',
      description: 'let sandboxes on network_name reach each other; off by default: every bridge port is isolated, each sandbox reaches only the gateway and the outside',
    },
    pids_limit: {
      type: 'integer',
      default: 1024,
      min: 0,
      env: 'SHELLGATE_PODMAN_PIDS_LIMIT',
      flag: '--pids-limit',
      description: 'maximum processes per sandbox (0: no limit)',
    },
    stop_timeout_seconds: {
      type: 'integer',
      default: 45,
      min: 0,
      env: 'SHELLGATE_PODMAN_STOP_TIMEOUT_SECONDS',
      flag: '--stop-timeout-seconds',
      description: 'seconds between SIGTERM and SIGKILL when a sandbox is stopped (upstream: 45)',
    },
    allow_bind_mounts: {
      type: 'boolean',
      default: false,
      env: 'SHELLGATE_PODMAN_ALLOW_BIND_MOUNTS',
      flag: '--allow-bind-mounts',
      description: 'allow driver_config.podman.mounts of type "bind" (host paths, checked by real path); off by default',
    },
    state_dir: {
      type: 'string',
      env: 'SHELLGATE_PODMAN_STATE_DIR',
      flag: '--state-dir',
      description:
        'directory for token files and per-sandbox state (created 0700); default /var/lib/shellgate/driver-podman ' +
        'as root, else $XDG_STATE_HOME/shellgate/driver-podman or ~/.local/state/shellgate/driver-podman',
    },
    ...GATEWAY_CALLBACK_CONFIG_KEYS,
    ...SUPERVISOR_TLS_CONFIG_KEYS,
    supervisor_runtime_dir: {
      type: 'string',
      env: 'SHELLGATE_PODMAN_SUPERVISOR_RUNTIME_DIR',
      flag: '--supervisor-runtime-dir',
      description:
        'supervisor runtime bundle (shellgate-supervisor-bundle --out DIR) on the engine host, mounted read-only at ' +
        "/opt/shellgate/runtime as every sandbox's entrypoint; unset: built once from the installed @shellgate/supervisor into STATE_DIR/runtime",
    },
    inject_supervisor: {
      type: 'boolean',
      default: true,
      env: 'SHELLGATE_PODMAN_INJECT_SUPERVISOR',
      flag: '--inject-supervisor',
      description: "run the Shellgate supervisor as every sandbox's entrypoint; false: none, and the gateway needs requires_supervisor = false",
    },
    expose_token_to_agent: {
      type: 'boolean',
      default: false,
      env: 'SHELLGATE_PODMAN_EXPOSE_TOKEN_TO_AGENT',
      flag: '--expose-token-to-agent',
      description:
        'leave the sandbox token file readable inside sandboxes (mounted read-only, not emptied by the supervisor) for images whose own ' +
        'processes read it; weakens isolation: any process in the sandbox that can read it can act as the supervisor',
    },
    ...OWNING_GATEWAY_CONFIG_KEYS,
  },
});

/** The resolved settings, as `runDriverMain` hands them to `createDriver`. */
export type PodmanDriverConfig = ConfigValues<(typeof podmanDriverConfig)['keys']>;
