import { timingSafeEqual } from 'node:crypto';
import type { Metadata } from '@grpc/grpc-js';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';

/** How API callers prove who they are. TLS client certificates are enforced by the TLS layer itself. */
export interface ApiAuthPolicy {
  /** When set, every call must carry `authorization: Bearer <token>`. */
  readonly bearerToken: string | undefined;
}

/** Throws UNAUTHENTICATED unless the call carries the configured bearer token. */
export function checkBearerToken(policy: ApiAuthPolicy, metadata: Metadata): void {
  if (policy.bearerToken === undefined) return;
  const header = metadata.get('authorization')[0];
  const presented = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice('Bearer '.length) : undefined;
  if (presented === undefined) {
    throw new ShellgateError(ErrorCode.Unauthenticated, 'this gateway requires a bearer token', {
      hint: 'pass --token-file FILE to the CLI (or SHELLGATE_TOKEN_FILE), or send "authorization: Bearer <token>"',
    });
  }
  const expected = Buffer.from(policy.bearerToken);
  const actual = Buffer.from(presented);
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw new ShellgateError(ErrorCode.Unauthenticated, 'the bearer token is not valid for this gateway', {
      hint: 'use the token from the gateway\'s auth_token_file',
    });
  }
}
