import { constants } from 'node:os';

/** How a process ended, as the session reports it: a signal death is 128 + its number plus its name. */
export interface ExitStatus {
  readonly exitCode: number;
  /** The signal's name ("SIGKILL") when one ended the process, else "". */
  readonly signal: string;
}

const SIGNAL_NAMES_BY_NUMBER = new Map<number, string>(Object.entries(constants.signals).map(([name, number]) => [number, name]));

/** Folds Node's (code, signal) pair, signal by name or number, into one {@link ExitStatus}. */
export function toExitStatus(code: number | null, signal: NodeJS.Signals | number | null | undefined): ExitStatus {
  const signalName = typeof signal === 'number' ? (signal === 0 ? undefined : SIGNAL_NAMES_BY_NUMBER.get(signal)) : (signal ?? undefined);
  if (signalName !== undefined) {
    const number = constants.signals[signalName as NodeJS.Signals] ?? 0;
    return { exitCode: 128 + number, signal: signalName };
  }
  return { exitCode: code ?? 0, signal: '' };
}
