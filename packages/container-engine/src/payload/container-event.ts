import { readJsonLines } from '../http/read-json-lines.js';
import { asRecord, readString, readStringMap } from './json-record.js';
import type { JsonRecord } from './json-record.js';

/** A container event from an engine's event stream. */
export interface ContainerEvent {
  readonly containerId: string;
  /** `create`, `start`, `die`, `destroy`, ... (Docker's `Action`, without `exec_*` detail). */
  readonly action: string;
  /** The container's labels as the event carries them (plus the engine's own `image`, `name`, ...). */
  readonly labels: Readonly<Record<string, string>>;
  readonly exitCode?: number;
  readonly timeMs: number;
}

/**
 * Libpod's actions in Docker's words where they differ. Podman's compat tree renames `died`
 * itself (pkg/api/handlers/compat/events.go) but sends `remove` where Docker says `destroy`.
 */
const LIBPOD_ACTIONS: ReadonlyMap<string, string> = new Map([
  ['died', 'die'],
  ['remove', 'destroy'],
]);

function readExitCode(attributes: Readonly<Record<string, string>>): number | undefined {
  // Docker says `exitCode`; libpod says `containerExitCode` (Podman's compat tree sends both).
  const text = attributes['exitCode'] ?? attributes['containerExitCode'];
  const exitCode = text === undefined ? Number.NaN : Number(text);
  return Number.isNaN(exitCode) ? undefined : exitCode;
}

/**
 * One line of an event stream as a {@link ContainerEvent}: Docker's `/events`, Podman's
 * compat `/events` or libpod's `/libpod/events` (the same message shape). Undefined for a
 * line that names no action or no container.
 */
export function decodeContainerEvent(raw: JsonRecord): ContainerEvent | undefined {
  const actor = asRecord(raw['Actor']);
  const rawAction = readString(raw, 'Action') ?? readString(raw, 'status');
  const containerId = readString(actor, 'ID') ?? readString(raw, 'id');
  if (rawAction === undefined || containerId === undefined) return undefined;
  // "exec_start: sh -c ..." and "health_status: healthy" carry detail after a colon.
  const action = rawAction.split(':')[0] ?? rawAction;
  const attributes = readStringMap(actor, 'Attributes');
  const exitCode = readExitCode(attributes);
  const timeNano = raw['timeNano'];
  return {
    containerId,
    action: LIBPOD_ACTIONS.get(action) ?? action,
    labels: attributes,
    ...(exitCode === undefined ? {} : { exitCode }),
    timeMs: typeof timeNano === 'number' ? Math.floor(timeNano / 1e6) : Date.now(),
  };
}

/**
 * The container events of an open event stream (an `EngineHttpClient.stream` answer). The
 * request's AbortSignal destroys the response, which ends this iteration; so does the
 * stream dropping (the caller reconnects and resyncs).
 */
export async function* readContainerEvents(stream: AsyncIterable<unknown> & { destroy: () => void }): AsyncGenerator<ContainerEvent> {
  try {
    for await (const raw of readJsonLines(stream)) {
      const event = decodeContainerEvent(raw);
      if (event !== undefined) yield event;
    }
  } finally {
    stream.destroy();
  }
}
