import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { ErrorCode, ShellgateError } from '@shellgate/driver-sdk';

/** Audience of every sandbox token: only the gateway's supervisor session accepts it. */
export const SANDBOX_TOKEN_AUDIENCE = 'shellgate-supervisor';

/** Claims a verified sandbox token carries. */
export interface SandboxTokenClaims {
  readonly sandboxId: string;
  readonly gatewayId: string;
  readonly issuedAtSeconds: number;
}

/**
 * Mints and verifies the per-sandbox identity tokens (EdDSA JWTs). The Ed25519 key is
 * created on first start as a 0600 PKCS#8 PEM file under the state directory, so tokens
 * minted before a gateway restart stay valid after it.
 */
export class SandboxIdentity {
  private constructor(
    private readonly privateKey: KeyObject,
    private readonly publicKey: KeyObject,
    readonly gatewayId: string,
  ) {}

  /** Loads the signing key from `keyPath`, creating it (0600, parent 0700) if absent. */
  static loadOrCreate(keyPath: string, gatewayId: string): SandboxIdentity {
    if (!existsSync(keyPath)) {
      mkdirSync(dirname(keyPath), { recursive: true, mode: 0o700 });
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    }
    // Only when others may read it: a replica's key may be a read-only mounted Secret (0400).
    if ((statSync(keyPath).mode & 0o077) !== 0) chmodSync(keyPath, 0o600);
    let privateKey: KeyObject;
    try {
      privateKey = createPrivateKey(readFileSync(keyPath));
    } catch (cause) {
      throw new ShellgateError(ErrorCode.FailedPrecondition, `cannot read the sandbox signing key ${keyPath}`, {
        hint: 'the file is not an Ed25519 PKCS#8 PEM key; move it away and restart to create a new one (existing sandboxes then need new tokens)',
        cause,
      });
    }
    if (privateKey.asymmetricKeyType !== 'ed25519') {
      throw new ShellgateError(ErrorCode.FailedPrecondition, `sandbox signing key ${keyPath} is ${privateKey.asymmetricKeyType ?? 'unknown'}, not ed25519`, {
        hint: 'move the file away and restart the gateway to create a new key',
      });
    }
    return new SandboxIdentity(privateKey, createPublicKey(privateKey), gatewayId);
  }

  /** A token that proves "I am sandbox `sandboxId` of this gateway". It has no expiry: it lives as long as the sandbox. */
  async mintToken(sandboxId: string): Promise<string> {
    return new SignJWT({ gw: this.gatewayId })
      .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
      .setSubject(sandboxId)
      .setAudience(SANDBOX_TOKEN_AUDIENCE)
      .setIssuer(`shellgate-gateway:${this.gatewayId}`)
      .setIssuedAt()
      .sign(this.privateKey);
  }

  /**
   * Verifies signature, issuer and audience, and that the token belongs to `expectedSandboxId`
   * (a token of one sandbox never opens another's session).
   */
  async verifyToken(token: string, expectedSandboxId: string): Promise<SandboxTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, this.publicKey, {
        algorithms: ['EdDSA'],
        audience: SANDBOX_TOKEN_AUDIENCE,
        issuer: `shellgate-gateway:${this.gatewayId}`,
      });
      if (payload.sub !== expectedSandboxId) {
        throw new ShellgateError(ErrorCode.PermissionDenied, `sandbox token is for another sandbox, not ${JSON.stringify(expectedSandboxId)}`);
      }
      return { sandboxId: payload.sub, gatewayId: this.gatewayId, issuedAtSeconds: payload.iat ?? 0 };
    } catch (cause) {
      if (cause instanceof ShellgateError) throw cause;
      const reason = cause instanceof joseErrors.JOSEError ? cause.code : 'malformed token';
      throw new ShellgateError(ErrorCode.Unauthenticated, `sandbox token rejected (${reason})`, {
        hint: 'the supervisor must present the token the gateway wrote to OPENSHELL_SANDBOX_TOKEN_FILE',
        cause,
      });
    }
  }
}
