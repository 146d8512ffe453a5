import { ImagePullPolicy, OWNING_GATEWAY_CONFIG_KEYS } from '@shellgate/container-engine';
import { GATEWAY_CALLBACK_CONFIG_KEYS, SUPERVISOR_TLS_CONFIG_KEYS, defineConfig } from '@shellgate/driver-sdk';
import type { ConfigValues } from '@shellgate/driver-sdk';

import { DriverEnv } from './env.js';

/**
 * Every setting of `shellgate-driver-docker` (flag > env > `--config` TOML > default).
 * `--help` prints this list, and the package README documents the same keys.
 */
export const dockerDriverConfig = defineConfig({
  keys: {
    docker_host: {
      type: 'string',
      env: DriverEnv.DockerHost,
      flag: '--docker-host',
      description:
        'Docker engine endpoint (unix:///path or tcp://host:port); unset: the first socket found of ' +
        '/var/run/docker.sock, $XDG_RUNTIME_DIR/docker.sock, ~/.docker/run/docker.sock',
    },
    default_image: {
      type: 'string',
      default: 'busybox:latest',
      env: 'SHELLGATE_DOCKER_DEFAULT_IMAGE',
      flag: '--default-image',
      description: 'image for sandboxes that name none (reported as default_image in GetCapabilities)',
    },
    image_pull_policy: {
      type: 'string',
      default: ImagePullPolicy.IfNotPresent,
      choices: Object.values(ImagePullPolicy),
      env: 'SHELLGATE_DOCKER_IMAGE_PULL_POLICY',
      flag: '--image-pull-policy',
      description: 'Always pulls before every create; IfNotPresent pulls a missing image; Never only uses local images',
    },
    network_name: {
      type: 'string',
      default: 'shellgate',
      env: 'SHELLGATE_DOCKER_NETWORK',
      flag: '--network-name',
      description:
        'bridge network sandboxes join; created with our labels and inter-container traffic off if missing, reused if present ' +
        '(one with inter-container traffic on is refused unless allow_sandbox_to_sandbox)',
    },
    allow_sandbox_to_sandbox: {
      type: 'boolean',
      default: false,
      env: 'SHELLGATE_DOCKER_ALLOW_SANDBOX_TO_SANDBOX',
      flag: '--allow-sandbox-to-sandbox',
      description: 'let sandboxes reach each other on the network (inter-container traffic on); off by default: each reaches only the gateway and the outside',
    },
    host_gateway_ip: {
      type: 'string',
      env: 'SHELLGATE_DOCKER_HOST_GATEWAY_IP',
      flag: '--host-gateway-ip',
      description: "address sandboxes reach the gateway on (host.openshell.internal); default: the network's bridge gateway IP",
    },
    pids_limit: {
      type: 'integer',
      default: 1024,
      min: 0,
      env: 'SHELLGATE_DOCKER_PIDS_LIMIT',
      flag: '--pids-limit',
      description: 'maximum processes per sandbox (0: no limit)',
    },
    stop_timeout_seconds: {
      type: 'integer',
      default: 10,
      min: 0,
      env: 'SHELLGATE_DOCKER_STOP_TIMEOUT_SECONDS',
      flag: '--stop-timeout-seconds',
      description: 'seconds between SIGTERM and SIGKILL when a sandbox is stopped (upstream: 10)',
    },
    allow_bind_mounts: {
      type: 'boolean',
      default: false,
      env: 'SHELLGATE_DOCKER_ALLOW_BIND_MOUNTS',
      flag: '--allow-bind-mounts',
      description: 'allow driver_config.docker.mounts of type "bind" (host paths); off by default',
    },
    state_dir: {
      type: 'string',
      env: 'SHELLGATE_DOCKER_STATE_DIR',
      flag: '--state-dir',
      description:
        'directory for token files and per-sandbox state (created 0700); default /var/lib/shellgate/driver-docker ' +
        'as root, else $XDG_STATE_HOME/shellgate/driver-docker or ~/.local/state/shellgate/driver-docker',
    },
    ...GATEWAY_CALLBACK_CONFIG_KEYS,
    ...SUPERVISOR_TLS_CONFIG_KEYS,
    supervisor_runtime_dir: {
      type: 'string',
      env: 'SHELLGATE_DOCKER_SUPERVISOR_RUNTIME_DIR',
      flag: '--supervisor-runtime-dir',
      description:
        'supervisor runtime bundle (shellgate-supervisor-bundle --out DIR) on the engine host, mounted read-only at ' +
        '/opt/shellgate/runtime as every sandbox\'s entrypoint; unset: built once from the installed @shellgate/supervisor into STATE_DIR/runtime',
    },
    inject_supervisor: {
      type: 'boolean',
      default: true,
      env: 'SHELLGATE_DOCKER_INJECT_SUPERVISOR',
      flag: '--inject-supervisor',
      description: 'run the Shellgate supervisor as every sandbox\'s entrypoint; false: none, and the gateway needs requires_supervisor = false',
    },
    expose_token_to_agent: {
      type: 'boolean',
      default: false,
      env: 'SHELLGATE_DOCKER_EXPOSE_TOKEN_TO_AGENT',
      flag: '--expose-token-to-agent',
      description:
        'leave the sandbox token file readable inside sandboxes (mounted read-only, not emptied by the supervisor) for images whose own ' +
        'processes read it; weakens isolation: any process in the sandbox that can read it can act as the supervisor',
    },
    ...OWNING_GATEWAY_CONFIG_KEYS,
  },
});

/** The resolved settings, as `runDriverMain` hands them to `createDriver`. */
export type DockerDriverConfig = ConfigValues<(typeof dockerDriverConfig)['keys']>;
