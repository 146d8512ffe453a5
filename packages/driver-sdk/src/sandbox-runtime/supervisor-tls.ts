import { accessSync, constants, statSync } from 'node:fs';
import { isAbsolute } from 'node:path';

import type { ConfigKeySpecs } from '../config/index.js';
import type { SandboxTlsFiles } from '../environment/index.js';
import { InvalidArgumentError } from '../errors.js';
import { SUPERVISOR_TLS_TARGETS } from './sandbox-paths.js';

/** Host files the supervisor in every sandbox uses to reach an `https` gateway. */
export interface SupervisorTlsFiles {
  /** PEM CA bundle that signed the gateway's certificate. */
  readonly caFile: string;
  /** Client certificate and key, for a gateway that requires one (`tls_client_ca_file`). */
  readonly client: { readonly certFile: string; readonly keyFile: string } | undefined;
}

const absolutePath = (value: string): string | undefined => (isAbsolute(value) ? undefined : 'must be an absolute host path');

/**
 * The config keys `supervisor_tls_ca_file`, `supervisor_tls_cert_file` and
 * `supervisor_tls_key_file` of a driver that delivers host files into its sandboxes: with an
 * `https` gateway whose certificate a private CA signed, the supervisor must be given that CA
 * (and, when the gateway asks for client certificates, a certificate and key) to connect
 * back. Spread them into the driver's `defineConfig` keys.
 */
export const SUPERVISOR_TLS_CONFIG_KEYS = {
  supervisor_tls_ca_file: {
    type: 'string',
    env: 'SHELLGATE_SUPERVISOR_TLS_CA_FILE',
    flag: '--supervisor-tls-ca-file',
    valueName: 'PATH',
    check: absolutePath,
    description: `PEM CA bundle the supervisor trusts for an https gateway, mounted read-only at ${SUPERVISOR_TLS_TARGETS.caFile} (default: the system roots)`,
  },
  supervisor_tls_cert_file: {
    type: 'string',
    env: 'SHELLGATE_SUPERVISOR_TLS_CERT_FILE',
    flag: '--supervisor-tls-cert-file',
    valueName: 'PATH',
    check: absolutePath,
    description: 'client certificate the supervisor presents to a gateway that requires one (tls_client_ca_file); with supervisor_tls_key_file',
  },
  supervisor_tls_key_file: {
    type: 'string',
    env: 'SHELLGATE_SUPERVISOR_TLS_KEY_FILE',
    flag: '--supervisor-tls-key-file',
    valueName: 'PATH',
    check: absolutePath,
    description: 'private key of supervisor_tls_cert_file; readable by the sandbox\'s own processes too, so give it a certificate only good for this gateway',
  },
} as const satisfies ConfigKeySpecs;

/** The config keys behind {@link SupervisorTlsFiles}, as `defineConfig` resolves them. */
export type SupervisorTlsConfig = Readonly<Record<keyof typeof SUPERVISOR_TLS_CONFIG_KEYS, string | undefined>>;

/**
 * The supervisor's TLS files from the config, each checked to be a readable file now, so a
 * typo fails at start rather than as sandboxes that never connect.
 * @returns undefined when none is set.
 * @throws InvalidArgumentError for a file missing or unreadable, a certificate without its key
 * (or the other way round), client files without a CA, or any of them with an `http` gateway.
 */
export function toSupervisorTls(config: SupervisorTlsConfig, gatewayScheme: 'http' | 'https'): SupervisorTlsFiles | undefined {
  const caFile = nonEmpty(config.supervisor_tls_ca_file);
  const certFile = nonEmpty(config.supervisor_tls_cert_file);
  const keyFile = nonEmpty(config.supervisor_tls_key_file);
  if (caFile === undefined && certFile === undefined && keyFile === undefined) return undefined;
  if (gatewayScheme !== 'https') {
    throw new InvalidArgumentError('supervisor_tls_* files are set but the gateway callback is http', {
      hint: 'they are for a gateway serving TLS (tls_cert_file), which sets gateway_scheme = "https" on drivers it spawns; remove them or set gateway_scheme = "https"',
    });
  }
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new InvalidArgumentError('supervisor_tls_cert_file and supervisor_tls_key_file go together', {
      hint: 'set both for a gateway that asks for client certificates, or neither',
    });
  }
  if (caFile === undefined) {
    throw new InvalidArgumentError('supervisor_tls_cert_file needs supervisor_tls_ca_file', {
      hint: 'set supervisor_tls_ca_file to the CA that signed the gateway\'s certificate',
    });
  }
  for (const [key, path] of [['supervisor_tls_ca_file', caFile], ['supervisor_tls_cert_file', certFile], ['supervisor_tls_key_file', keyFile]] as const) {
    if (path !== undefined) checkReadableFile(key, path);
  }
  return { caFile, client: certFile === undefined || keyFile === undefined ? undefined : { certFile, keyFile } };
}

/**
 * Where the supervisor finds the files in a sandbox, for `buildSandboxEnvironment`'s `tls`:
 * the same paths whichever way a driver delivers them.
 */
export function toSandboxTlsFiles(hasClientCertificate: boolean): SandboxTlsFiles {
  return {
    caFile: SUPERVISOR_TLS_TARGETS.caFile,
    ...(hasClientCertificate && { certFile: SUPERVISOR_TLS_TARGETS.certFile, keyFile: SUPERVISOR_TLS_TARGETS.keyFile }),
  };
}

/** {@link toSandboxTlsFiles} for the host files a driver delivers itself; undefined when there are none. */
export function toDeliveredSandboxTlsFiles(files: SupervisorTlsFiles | undefined): SandboxTlsFiles | undefined {
  return files === undefined ? undefined : toSandboxTlsFiles(files.client !== undefined);
}

/** A host file and where the sandbox sees it. */
export interface SupervisorTlsPlacement {
  readonly source: string;
  readonly target: string;
}

/** Each of the host files with its place among the {@link SUPERVISOR_TLS_TARGETS}: what a driver copies or mounts. */
export function toSupervisorTlsPlacements(files: SupervisorTlsFiles | undefined): SupervisorTlsPlacement[] {
  if (files === undefined) return [];
  return [
    { source: files.caFile, target: SUPERVISOR_TLS_TARGETS.caFile },
    ...(files.client === undefined
      ? []
      : [
          { source: files.client.certFile, target: SUPERVISOR_TLS_TARGETS.certFile },
          { source: files.client.keyFile, target: SUPERVISOR_TLS_TARGETS.keyFile },
        ]),
  ];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function checkReadableFile(key: string, path: string): void {
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw new InvalidArgumentError(`${key} ${JSON.stringify(path)} cannot be read: ${error instanceof Error ? error.message : String(error)}`, {
      hint: 'give the absolute path of a PEM file on the machine the engine runs on, readable by the driver',
    });
  }
}
