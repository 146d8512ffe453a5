import { readFileSync, truncateSync } from 'node:fs';
import { SupervisorError } from '../errors.js';
import type { SupervisorLogger } from '../logging/supervisor-logger.js';

export interface SandboxTokenOptions {
  /** OPENSHELL_SANDBOX_TOKEN_FILE. */
  readonly path: string;
  /** `--keep-token-file`: leave the file as it is (the driver's opt-out for images whose own processes read it). */
  readonly isFileKept: boolean;
  readonly logger: SupervisorLogger;
}

/**
 * The sandbox JWT, held in this process's memory only. The first {@link take} reads the
 * token file and then empties it, so no other process of the sandbox (the main process, an
 * exec, even as root, which file modes do not stop) finds it there; the driver writes the
 * file again before every start of the sandbox. The token never appears in an error or log.
 */
export class SandboxToken {
  #token: string | undefined;

  constructor(private readonly options: SandboxTokenOptions) {}

  /**
   * The token: from memory, or on first success from the file, which is then emptied.
   * @throws SupervisorError while the file is missing, unreadable or empty (the caller logs and retries).
   */
  take(): string {
    if (this.#token !== undefined) return this.#token;
    const { path, isFileKept, logger } = this.options;
    const token = readTokenFile(path);
    this.#token = token;
    if (isFileKept) {
      logger.warn('the sandbox token file is kept readable (--keep-token-file): processes in the sandbox that can read it can act as this supervisor', { tokenFile: path });
      return token;
    }
    try {
      truncateSync(path, 0);
      logger.debug('sandbox token taken into memory; the token file is now empty', { tokenFile: path });
    } catch (error) {
      // A read-only mount or a file this uid may not write: a driver that did not opt in.
      logger.warn('could not empty the sandbox token file; processes in the sandbox that can read it can act as this supervisor', {
        tokenFile: path,
        code: (error as NodeJS.ErrnoException).code ?? 'error',
      });
    }
    return token;
  }
}

function readTokenFile(path: string): string {
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (cause) {
    throw new SupervisorError(`cannot read the sandbox token file ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'the driver writes it before starting the sandbox; check the mount and that this uid can read it',
    });
  }
  if (token === '') {
    throw new SupervisorError(`the sandbox token file ${path} is empty`, {
      hint: 'the driver writes the token there before every start, and a running supervisor empties it: start the sandbox through the gateway (not `docker start`), or recreate it',
    });
  }
  return token;
}
