import { readFileSync } from 'node:fs';
import { SupervisorError } from '../errors.js';

/**
 * Reads the sandbox JWT. Read on every (re)connect and exec attach, never cached: the driver
 * may rotate the file. The token itself never appears in an error or log.
 */
export function readTokenFile(path: string): string {
  let token: string;
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch (cause) {
    throw new SupervisorError(`cannot read the sandbox token file ${path}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, {
      hint: 'the driver writes it before starting the sandbox; check the mount and that this uid can read it',
    });
  }
  if (token === '') throw new SupervisorError(`the sandbox token file ${path} is empty`, { hint: 'the driver writes the token there; recreate the sandbox' });
  return token;
}
