/**
 * Libpod-shaped payloads, WRITTEN BY HAND, not captured: Podman was not installed on the
 * machine where these mappers were written. They follow Podman's own source for the libpod
 * tree (v4/v5): container inspect = InspectContainerData (libpod/define/container_inspect.go),
 * events = entities.Event, Docker's events.Message plus `status`/`id`/`from`, built by
 * ConvertToEntitiesEvent (pkg/domain/entities/events.go) with the container's labels in
 * `Actor.Attributes`, and libpod's action names (`died`, `remove`; libpod/events/config.go).
 * Fields the decoders do not read are abridged. Replace them with captured payloads
 * (`curl --unix-socket $XDG_RUNTIME_DIR/podman/podman.sock http://d/v4.0.0/libpod/...`)
 * once a Podman engine runs in e2e.
 */

const CONTAINER_ID = '5c1b2f0e3a4d47b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6';

/** `GET /v4.0.0/libpod/containers/{id}/json` of a container stopped with `podman stop`. */
export const LIBPOD_CONTAINER_INSPECT = {
  Id: CONTAINER_ID,
  Created: '2026-12-06T04:20:01.123456789Z',
  Path: 'sleep',
  Args: ['60'],
  State: {
    OciVersion: '1.1.0',
    Status: 'stopped',
    Running: false,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 0,
    ExitCode: 137,
    Error: '',
    StartedAt: '2026-12-06T04:20:01.523456789Z',
    FinishedAt: '2026-12-06T04:20:12.023456789Z',
    CheckpointedAt: '0001-01-01T00:00:00Z',
    RestoredAt: '0001-01-01T00:00:00Z',
  },
  Image: '1c24dde9f8db69ecdd3d1626b2b7e8f9e72c30fae8a6120d2bab0ed78506abcc',
  ImageName: 'docker.io/library/busybox:latest',
  Rootfs: '',
  Pod: '',
  Name: 'engine-fixture-libpod',
  RestartCount: 0,
  Driver: 'overlay',
  Config: {
    Hostname: '5c1b2f0e3a4d',
    Domainname: '',
    User: '',
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'container=podman'],
    Cmd: ['sleep', '60'],
    Image: 'docker.io/library/busybox:latest',
    WorkingDir: '/',
    Entrypoint: [],
    Labels: { 'dev.shellgate.sandbox-id': 'sbx-fixture-3', 'dev.shellgate.sandbox-name': 'fixture' },
    Annotations: { 'io.container.manager': 'libpod', 'org.opencontainers.image.stopSignal': '15' },
    StopSignal: 'SIGTERM',
  },
};

const ATTRIBUTES = { 'dev.shellgate.sandbox-id': 'sbx-fixture-3', 'dev.shellgate.sandbox-name': 'fixture', image: 'docker.io/library/busybox:latest', name: 'engine-fixture-libpod', podId: '' };

/** `timeMs` plus half a millisecond, so the nanosecond time is not on a millisecond boundary. */
function eventLine(action: string, timeMs: number, extra: Readonly<Record<string, string>> = {}): string {
  const timeNano = timeMs * 1e6 + 5e5;
  const event = {
    status: action,
    id: CONTAINER_ID,
    from: 'docker.io/library/busybox:latest',
    Type: 'container',
    Action: action,
    Actor: { ID: CONTAINER_ID, Attributes: { ...ATTRIBUTES, ...extra } },
    scope: 'local',
    time: Math.floor(timeMs / 1e3),
    timeNano,
  };
  return JSON.stringify(event);
}

/** `GET /v4.0.0/libpod/events?stream=true`: create, start, died (with its exit code), remove. */
export const LIBPOD_EVENT_STREAM = [
  eventLine('create', 1796530801123),
  eventLine('init', 1796530801423),
  eventLine('start', 1796530801523),
  eventLine('died', 1796530812023, { containerExitCode: '137' }),
  eventLine('remove', 1796530813023, { containerExitCode: '137' }),
].join('\n');
