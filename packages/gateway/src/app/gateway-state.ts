import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';

/** Files the gateway keeps under its state directory. */
export interface GatewayStatePaths {
  readonly stateDir: string;
  readonly gatewayIdFile: string;
  readonly signingKeyFile: string;
}

export function gatewayStatePaths(stateDir: string): GatewayStatePaths {
  return {
    stateDir,
    gatewayIdFile: join(stateDir, 'gateway-id'),
    signingKeyFile: join(stateDir, 'keys', 'sandbox-signing-key.pem'),
  };
}

/** Creates the state directory 0700 (refusing one other users can read) and returns the gateway id. */
export function prepareGatewayState(paths: GatewayStatePaths): string {
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  const mode = statSync(paths.stateDir).mode & 0o777;
  if ((mode & 0o077) !== 0) chmodSync(paths.stateDir, 0o700);
  if (!existsSync(paths.gatewayIdFile)) writeFileSync(paths.gatewayIdFile, `${randomUUID()}\n`, { mode: 0o600, flag: 'wx' });
  const gatewayId = readFileSync(paths.gatewayIdFile, 'utf8').trim();
  if (!/^[0-9a-f-]{36}$/.test(gatewayId)) {
    throw new ShellgateError(ErrorCode.FailedPrecondition, `${paths.gatewayIdFile} does not hold a gateway id`, {
      hint: 'restore the file from a backup, or remove it to start as a new gateway (existing sandbox tokens then stop working)',
    });
  }
  return gatewayId;
}

/** Reads the API bearer token (or another secret, named by its config `key`), refusing a file other users can read. */
export function readAuthToken(file: string, key = 'auth_token_file'): string {
  let mode: number;
  try {
    mode = statSync(file).mode & 0o777;
  } catch (cause) {
    throw new ShellgateError(ErrorCode.FailedPrecondition, `cannot read ${key} ${file}`, { hint: 'create it with a random token, mode 0600', cause });
  }
  if ((mode & 0o077) !== 0) {
    throw new ShellgateError(ErrorCode.FailedPrecondition, `${key} ${file} is readable by other users (mode ${mode.toString(8)})`, {
      hint: `chmod 600 ${file}`,
    });
  }
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < 16) {
    throw new ShellgateError(ErrorCode.FailedPrecondition, `${key} ${file} holds a token shorter than 16 characters`, {
      hint: 'write a long random token, e.g. `openssl rand -hex 32 > FILE`',
    });
  }
  return token;
}

/**
 * Replicas must share the gateway id and the sandbox signing key (a sandbox's token, minted
 * by one replica, is verified by whichever its supervisor reaches), so a replica never
 * creates them: refuses to start when either file is missing.
 */
export function requireSharedIdentity(paths: GatewayStatePaths): void {
  for (const file of [paths.gatewayIdFile, paths.signingKeyFile]) {
    if (existsSync(file)) continue;
    throw new ShellgateError(ErrorCode.FailedPrecondition, `${file} is missing; gateway replicas on Postgres do not create it`, {
      hint: 'every replica needs the same gateway-id and keys/sandbox-signing-key.pem under state_dir: create them once (`uuidgen > gateway-id`, `openssl genpkey -algorithm ed25519 -out keys/sandbox-signing-key.pem`, both 0600) and give every replica a copy (Kubernetes: a Secret); see docs/replicas.md',
      details: { file },
    });
  }
}
