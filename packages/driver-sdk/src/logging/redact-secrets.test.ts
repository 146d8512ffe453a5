import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { REDACTED, collectSecretValues, isSecretKey, redactSecretText, redactSecrets } from './redact-secrets.js';

const TOKEN = 'eyJhbGciOiJFZERTQSJ9.c2VjcmV0LXBheWxvYWQ.sig-123';

describe('redactSecrets', () => {
  it('masks sandbox_token and sandboxToken at any depth, leaving other fields', () => {
    const request = {
      sandbox: { id: 'sb-1', spec: { sandboxToken: TOKEN, logLevel: 'info', environment: { HOME: '/root' } } },
      raw: [{ sandbox_token: TOKEN }],
    };
    const redacted = redactSecrets(request);
    assert.equal(redacted.sandbox.spec.sandboxToken, REDACTED);
    assert.equal(redacted.raw[0]!.sandbox_token, REDACTED);
    assert.equal(redacted.sandbox.id, 'sb-1');
    assert.deepEqual(redacted.sandbox.spec.environment, { HOME: '/root' });
    assert.ok(!JSON.stringify(redacted).includes(TOKEN));
    assert.equal(request.sandbox.spec.sandboxToken, TOKEN, 'the input is not mutated');
  });

  it('masks authorization headers, secret-looking env keys and Bearer strings', () => {
    const redacted = redactSecrets({
      headers: { Authorization: 'Basic dXNlcjpwYXNz' },
      environment: { GITHUB_TOKEN: 'ghp_x', OPENAI_API_KEY: 'sk-x', OPENSHELL_SANDBOX_TOKEN_FILE: '/run/token' },
      note: 'sent Bearer abc.def-ghi to the API',
    });
    assert.equal(redacted.headers.Authorization, REDACTED);
    assert.equal(redacted.environment.GITHUB_TOKEN, REDACTED);
    assert.equal(redacted.environment.OPENAI_API_KEY, REDACTED);
    assert.equal(redacted.environment.OPENSHELL_SANDBOX_TOKEN_FILE, '/run/token');
    assert.equal(redacted.note, `sent Bearer ${REDACTED} to the API`);
  });

  it('keeps an empty token visible, survives cycles and turns errors into records', () => {
    const cyclic: Record<string, unknown> = { sandboxToken: '' };
    cyclic['self'] = cyclic;
    const redacted = redactSecrets({ cyclic, error: new Error(`bad Bearer ${TOKEN}`) });
    assert.equal(redacted.cyclic['sandboxToken'], '');
    const error = redacted.error as unknown as Record<string, unknown>;
    assert.equal(error['message'], `bad Bearer ${REDACTED}`);
    assert.equal(error['name'], 'Error');
  });
});

describe('isSecretKey', () => {
  it('matches secret names and not look-alikes', () => {
    for (const key of ['sandbox_token', 'sandboxToken', 'authorization', 'db_password', 'client-secret']) {
      assert.equal(isSecretKey(key), true, key);
    }
    for (const key of ['token_file', 'max_tokens', 'sandbox_id', 'name']) assert.equal(isSecretKey(key), false, key);
  });
});

describe('collectSecretValues + redactSecretText', () => {
  it('scrubs secret values found in a request out of free text', () => {
    const secrets = collectSecretValues({ sandbox: { spec: { sandboxToken: TOKEN } } });
    assert.deepEqual(secrets, [TOKEN]);
    const text = redactSecretText(`invalid spec {"sandboxToken":"${TOKEN}"}`, secrets);
    assert.equal(text, `invalid spec {"sandboxToken":"${REDACTED}"}`);
  });
});
