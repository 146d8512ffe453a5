import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { DriverSandbox } from '../gen/compute_driver.js';
import { SandboxEnv } from './env.js';
import { buildSandboxEnvironment, mergeUserEnvironment, toEnvList } from './sandbox-environment.js';

const TOKEN = 'eyJhbGciOiJFZERTQSJ9.secret-token-value.sig';

function sandbox(overrides: { logLevel?: string; env?: Record<string, string>; templateEnv?: Record<string, string> } = {}): DriverSandbox {
  return DriverSandbox.fromPartial({
    id: 'sbx-123',
    name: 'alpha',
    spec: {
      logLevel: overrides.logLevel ?? '',
      environment: overrides.env ?? {},
      sandboxToken: TOKEN,
      template: { image: 'busybox', environment: overrides.templateEnv ?? {} },
    },
  });
}

const BASE = { endpoint: 'http://10.0.0.1:17670', tokenFilePath: '/run/shellgate/token' };

describe('buildSandboxEnvironment', () => {
  it('sets every driver variable', () => {
    const env = buildSandboxEnvironment({ ...BASE, sandbox: sandbox() });
    assert.deepEqual(env, {
      OPENSHELL_ENDPOINT: 'http://10.0.0.1:17670',
      OPENSHELL_SANDBOX_ID: 'sbx-123',
      OPENSHELL_SANDBOX: 'alpha',
      OPENSHELL_SANDBOX_TOKEN_FILE: '/run/shellgate/token',
      OPENSHELL_LOG_LEVEL: 'info',
      OPENSHELL_USER_ENVIRONMENT: '{}',
    });
  });

  it('merges template then spec environment, spec winning, and records it as JSON', () => {
    const env = buildSandboxEnvironment({
      ...BASE,
      sandbox: sandbox({ templateEnv: { SHARED: 'template', ONLY_T: 't' }, env: { SHARED: 'spec', A_SPEC: 's' } }),
    });
    assert.equal(env.SHARED, 'spec');
    assert.equal(env.ONLY_T, 't');
    assert.equal(env.A_SPEC, 's');
    assert.equal(env[SandboxEnv.UserEnvironment], '{"A_SPEC":"s","ONLY_T":"t","SHARED":"spec"}');
    assert.deepEqual(JSON.parse(env[SandboxEnv.UserEnvironment] ?? ''), mergeUserEnvironment(sandbox({
      templateEnv: { SHARED: 'template', ONLY_T: 't' },
      env: { SHARED: 'spec', A_SPEC: 's' },
    })));
  });

  it('lets driver values win over user values', () => {
    const env = buildSandboxEnvironment({
      ...BASE,
      sandbox: sandbox({ env: { OPENSHELL_ENDPOINT: 'http://evil', OPENSHELL_SANDBOX_ID: 'other' } }),
    });
    assert.equal(env.OPENSHELL_ENDPOINT, 'http://10.0.0.1:17670');
    assert.equal(env.OPENSHELL_SANDBOX_ID, 'sbx-123');
  });

  it('takes the log level from the spec, then the option, then "info"', () => {
    assert.equal(buildSandboxEnvironment({ ...BASE, sandbox: sandbox({ logLevel: 'debug' }), logLevel: 'warn' }).OPENSHELL_LOG_LEVEL, 'debug');
    assert.equal(buildSandboxEnvironment({ ...BASE, sandbox: sandbox(), logLevel: 'warn' }).OPENSHELL_LOG_LEVEL, 'warn');
    assert.equal(buildSandboxEnvironment({ ...BASE, sandbox: sandbox() }).OPENSHELL_LOG_LEVEL, 'info');
  });

  it('never places the token value in the environment', () => {
    const env = buildSandboxEnvironment({
      ...BASE,
      endpoint: 'https://gw:17670',
      sandbox: sandbox({ env: { X: '1' } }),
      tls: { caFile: '/run/shellgate/ca.pem' },
    });
    for (const entry of toEnvList(env)) assert.ok(!entry.includes(TOKEN), entry);
  });

  it('sets TLS file variables only for https endpoints', () => {
    const tls = { caFile: '/t/ca.pem', certFile: '/t/cert.pem', keyFile: '/t/key.pem' };
    const secure = buildSandboxEnvironment({ ...BASE, endpoint: 'HTTPS://gw:17670', sandbox: sandbox(), tls });
    assert.equal(secure.OPENSHELL_TLS_CA_FILE, '/t/ca.pem');
    assert.equal(secure.OPENSHELL_TLS_CERT_FILE, '/t/cert.pem');
    assert.equal(secure.OPENSHELL_TLS_KEY_FILE, '/t/key.pem');
    const caOnly = buildSandboxEnvironment({ ...BASE, endpoint: 'https://gw', sandbox: sandbox(), tls: { caFile: '/ca' } });
    assert.equal(caOnly.OPENSHELL_TLS_CA_FILE, '/ca');
    assert.equal('OPENSHELL_TLS_CERT_FILE' in caOnly, false);
    const plain = buildSandboxEnvironment({ ...BASE, sandbox: sandbox(), tls });
    assert.equal(Object.keys(plain).some((key) => key.startsWith('OPENSHELL_TLS_')), false);
  });

  it('refuses a half mTLS pair, a non-URL endpoint and a relative token path', () => {
    assert.throws(
      () => buildSandboxEnvironment({ ...BASE, endpoint: 'https://gw', sandbox: sandbox(), tls: { caFile: '/ca', certFile: '/c' } }),
      { name: 'InvalidArgumentError', message: /certFile and keyFile/ },
    );
    assert.throws(() => buildSandboxEnvironment({ ...BASE, endpoint: 'not a url', sandbox: sandbox() }), {
      name: 'InvalidArgumentError',
      message: /"not a url" is not a URL/,
    });
    assert.throws(() => buildSandboxEnvironment({ ...BASE, endpoint: 'gw:17670', sandbox: sandbox() }), {
      name: 'InvalidArgumentError',
      message: /"gw:17670" is not an http or https URL/,
    });
    assert.throws(() => buildSandboxEnvironment({ ...BASE, tokenFilePath: 'token', sandbox: sandbox() }), {
      name: 'InvalidArgumentError',
      message: /"token" is not absolute/,
    });
  });

  it('copes with a sandbox that has no spec', () => {
    const env = buildSandboxEnvironment({ ...BASE, sandbox: DriverSandbox.fromPartial({ id: 'x', name: 'y' }) });
    assert.equal(env.OPENSHELL_USER_ENVIRONMENT, '{}');
    assert.equal(env.OPENSHELL_SANDBOX, 'y');
  });
});

describe('toEnvList', () => {
  it('returns KEY=value sorted by key, keeping "=" inside values', () => {
    assert.deepEqual(toEnvList({ b: '2', A: 'x=y', a: '' }), ['A=x=y', 'a=', 'b=2']);
  });
});
