import { toContainerLabels, toGpuCount } from '@shellgate/container-engine';
import { SANDBOX_TOKEN_TARGET, SUPERVISOR_RUNTIME_TARGET, buildSandboxEnvironment, toSandboxTlsFiles, toSupervisorArgs } from '@shellgate/driver-sdk';
import type { DriverSandbox } from '@shellgate/driver-sdk';
import type { V1Container, V1Pod, V1ResourceRequirements, V1SecurityContext, V1Volume } from '@kubernetes/client-node';

import type { ImagePullPolicy } from '../config.js';
import type { SupervisorDelivery } from '../settings.js';
import type { K8sDriverOptions } from './driver-config.js';
import { SANDBOX_SECRET_TOKEN_KEY, toSandboxObjectNames } from './sandbox-names.js';
import { toSupervisorTlsMount, toSupervisorTlsVolume } from './supervisor-tls-secret.js';
import type { SupervisorTlsSecret } from './supervisor-tls-secret.js';

/** The sandbox's own container; the runtime init container's name. */
export const SANDBOX_CONTAINER = 'sandbox';
export const RUNTIME_INIT_CONTAINER = 'shellgate-runtime';
/** Where the workspace volume is mounted in every sandbox. */
export const WORKSPACE_TARGET = '/sandbox';
/** Where the runtime image holds the bundle (build-runtime-image.sh puts it there). */
export const RUNTIME_IMAGE_BUNDLE_DIR = '/opt/shellgate/runtime';
/** The runtime image's static shell, which the init container runs (any sandbox image may lack one). */
export const RUNTIME_IMAGE_SHELL = '/bin/busybox';
/** GPUs are asked for as this extended resource (the NVIDIA device plugin's). */
export const GPU_RESOURCE = 'nvidia.com/gpu';

const VOLUME = { runtime: 'shellgate-runtime', run: 'shellgate-run', token: 'shellgate-token', workspace: 'workspace' } as const;
/** Where the init container sees each volume. */
const INIT_MOUNT = { runtime: '/shellgate/runtime', run: '/shellgate/run', token: '/shellgate/token' } as const;
const TOKEN_FILE_NAME = SANDBOX_TOKEN_TARGET.slice(SANDBOX_TOKEN_TARGET.lastIndexOf('/') + 1);
const RUN_DIR = SANDBOX_TOKEN_TARGET.slice(0, SANDBOX_TOKEN_TARGET.lastIndexOf('/'));
/** Mode of the token as the Secret volume shows it: root-only, and only the init container mounts it. */
const SECRET_FILE_MODE = 0o400;

/** Driver-wide settings that shape every pod. */
export interface PodDefaults {
  readonly namespace: string;
  readonly gatewayId: string;
  readonly defaultImage: string;
  readonly imagePullPolicy: ImagePullPolicy;
  readonly gatewayEndpoint: string;
  readonly stopGraceSeconds: number;
  readonly dnsPolicy: 'ClusterFirst' | 'Default';
  /** The storage class of the /sandbox claim; undefined: an emptyDir. */
  readonly storageClass: string | undefined;
  readonly supervisor: SupervisorDelivery | undefined;
  readonly isTokenExposedToAgent: boolean;
  /** Mounted into the sandbox container and named for the supervisor; only with a supervisor. */
  readonly supervisorTls: SupervisorTlsSecret | undefined;
}

/**
 * The init container's script: the bundle into the pod's runtime volume, the token into the
 * memory volume at /run/shellgate as a root-only file the supervisor can empty (a Secret
 * volume is read-only, so the supervisor could not), readable by all only when the operator
 * exposes it to the agent.
 */
function toInstallScript(isTokenExposed: boolean): string {
  const token = `${INIT_MOUNT.run}/${TOKEN_FILE_NAME}`;
  return [
    'set -e',
    `cp -a ${RUNTIME_IMAGE_BUNDLE_DIR}/. ${INIT_MOUNT.runtime}/`,
    `cp ${INIT_MOUNT.token}/${SANDBOX_SECRET_TOKEN_KEY} ${token}`,
    `chmod ${isTokenExposed ? '0644' : '0600'} ${token}`,
  ].join('\n');
}

/** Nothing to escalate to and no capabilities, for containers that need none. */
const LOCKED_DOWN: V1SecurityContext = { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };

/**
 * The sandbox container under a supervisor runs as root (only root reads the 0600 token file)
 * with every capability dropped but CAP_SETGID: the supervisor moves its effective gid away and
 * back to make itself non-dumpable, which keeps the agent (same uid) out of its memory and the
 * token it holds there. Without a supervisor nothing holds the token: no capability at all.
 */
function toSandboxSecurityContext(hasSupervisor: boolean): V1SecurityContext {
  if (!hasSupervisor) return LOCKED_DOWN;
  return { allowPrivilegeEscalation: false, runAsUser: 0, runAsGroup: 0, capabilities: { drop: ['ALL'], add: ['SETGID'] } };
}

function toResources(sandbox: DriverSandbox): V1ResourceRequirements {
  const resources = sandbox.spec?.template?.resources;
  const requests: Record<string, string> = {};
  const limits: Record<string, string> = {};
  if (resources?.cpuRequest) requests['cpu'] = resources.cpuRequest;
  if (resources?.memoryRequest) requests['memory'] = resources.memoryRequest;
  if (resources?.cpuLimit) limits['cpu'] = resources.cpuLimit;
  if (resources?.memoryLimit) limits['memory'] = resources.memoryLimit;
  const gpus = toGpuCount(sandbox);
  // Extended resources are asked for as limits; Kubernetes sets the request equal.
  if (gpus > 0) limits[GPU_RESOURCE] = String(gpus);
  return { ...(Object.keys(requests).length > 0 && { requests }), ...(Object.keys(limits).length > 0 && { limits }) };
}

function toVolumes(sandbox: DriverSandbox, defaults: PodDefaults, options: K8sDriverOptions): V1Volume[] {
  const names = toSandboxObjectNames(sandbox);
  const hasClaim = (options.storageClassName || defaults.storageClass) !== undefined && (options.storageClassName || defaults.storageClass) !== '';
  const tokenMode = defaults.supervisor === undefined && defaults.isTokenExposedToAgent ? 0o444 : SECRET_FILE_MODE;
  const secretPath = defaults.supervisor === undefined ? TOKEN_FILE_NAME : SANDBOX_SECRET_TOKEN_KEY;
  return [
    { name: VOLUME.token, secret: { secretName: names.secret, items: [{ key: SANDBOX_SECRET_TOKEN_KEY, path: secretPath, mode: tokenMode }], defaultMode: tokenMode } },
    ...(defaults.supervisor === undefined
      ? []
      : [
          { name: VOLUME.runtime, emptyDir: {} },
          // Memory-backed: the token never lands on the node's disk.
          { name: VOLUME.run, emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
          ...(defaults.supervisorTls === undefined ? [] : [toSupervisorTlsVolume(defaults.supervisorTls)]),
        ]),
    hasClaim ? { name: VOLUME.workspace, persistentVolumeClaim: { claimName: names.claim } } : { name: VOLUME.workspace, emptyDir: {} },
  ];
}

function toSandboxContainer(sandbox: DriverSandbox, defaults: PodDefaults): V1Container {
  const { supervisor } = defaults;
  const command = sandbox.spec?.command ?? [];
  const tty = sandbox.spec?.tty ?? false;
  const tls = supervisor === undefined ? undefined : defaults.supervisorTls;
  const env = buildSandboxEnvironment({ sandbox, endpoint: defaults.gatewayEndpoint, tokenFilePath: SANDBOX_TOKEN_TARGET, tls: tls === undefined ? undefined : toSandboxTlsFiles(tls.hasClientCertificate) });
  const process: Pick<V1Container, 'command' | 'args' | 'tty' | 'stdin'> =
    supervisor === undefined
      ? { ...(command.length > 0 && { command: [...command] }), tty, stdin: tty }
      : // The supervisor gives the main process its pty; without a command it holds the session (the image's own CMD is unknown here).
        { command: [...supervisor.runtime.entrypoint], args: toSupervisorArgs(command, { tty, isTokenFileKept: defaults.isTokenExposedToAgent }) };
  return {
    name: SANDBOX_CONTAINER,
    image: sandbox.spec?.template?.image || defaults.defaultImage,
    imagePullPolicy: defaults.imagePullPolicy,
    ...process,
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
    resources: toResources(sandbox),
    securityContext: toSandboxSecurityContext(supervisor !== undefined),
    volumeMounts: [
      { name: VOLUME.workspace, mountPath: WORKSPACE_TARGET },
      ...(supervisor === undefined
        ? [{ name: VOLUME.token, mountPath: RUN_DIR, readOnly: true }]
        : [
            { name: VOLUME.runtime, mountPath: SUPERVISOR_RUNTIME_TARGET, readOnly: true },
            { name: VOLUME.run, mountPath: RUN_DIR },
            ...(tls === undefined ? [] : [toSupervisorTlsMount()]),
          ]),
    ],
  };
}

function toRuntimeInitContainer(delivery: SupervisorDelivery, defaults: PodDefaults): V1Container {
  return {
    name: RUNTIME_INIT_CONTAINER,
    image: delivery.runtimeImage,
    imagePullPolicy: defaults.imagePullPolicy,
    command: [RUNTIME_IMAGE_SHELL, 'sh', '-c', toInstallScript(defaults.isTokenExposedToAgent)],
    // Root reads the 0400 Secret file it owns; nothing else is needed, not even CAP_CHOWN.
    securityContext: { ...LOCKED_DOWN, runAsUser: 0, runAsGroup: 0 },
    volumeMounts: [
      { name: VOLUME.runtime, mountPath: INIT_MOUNT.runtime },
      { name: VOLUME.run, mountPath: INIT_MOUNT.run },
      { name: VOLUME.token, mountPath: INIT_MOUNT.token, readOnly: true },
    ],
  };
}

/**
 * The Pod of a sandbox: deterministic name, our labels (plus the sandbox's extra ones), its
 * image, command and env, requests and limits, GPUs, no service account token, no privilege
 * escalation, capabilities dropped, never restarted; the supervisor runtime copied in by an
 * init container, the token from the sandbox's Secret, `/sandbox` from its claim or an
 * emptyDir. `sandbox` must carry no token: it goes in the Secret only.
 */
export function toSandboxPod(sandbox: DriverSandbox, defaults: PodDefaults, options: K8sDriverOptions): V1Pod {
  const names = toSandboxObjectNames(sandbox);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: names.pod,
      namespace: defaults.namespace,
      labels: { ...options.labels, ...toContainerLabels(sandbox, defaults.gatewayId) },
      ...(Object.keys(options.annotations).length > 0 && { annotations: { ...options.annotations } }),
    },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      // The pause container becomes PID 1 and reaps the zombies agents leave: Node (the supervisor) cannot.
      shareProcessNamespace: defaults.supervisor !== undefined,
      terminationGracePeriodSeconds: defaults.stopGraceSeconds,
      dnsPolicy: defaults.dnsPolicy,
      ...(Object.keys(options.nodeSelector).length > 0 && { nodeSelector: { ...options.nodeSelector } }),
      ...(options.tolerations.length > 0 && { tolerations: options.tolerations.map((toleration) => ({ ...toleration })) }),
      ...(options.runtimeClassName !== '' && { runtimeClassName: options.runtimeClassName }),
      ...(options.serviceAccountName !== '' && { serviceAccountName: options.serviceAccountName }),
      ...(defaults.supervisor !== undefined && { initContainers: [toRuntimeInitContainer(defaults.supervisor, defaults)] }),
      containers: [toSandboxContainer(sandbox, defaults)],
      volumes: toVolumes(sandbox, defaults, options),
    },
  };
}
