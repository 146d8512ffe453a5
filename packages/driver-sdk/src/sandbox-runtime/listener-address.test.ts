import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatListenerAddress, parseListenerAddress } from './listener-address.js';

describe('listener addresses', () => {
  it('formats IP:port, bracketing IPv6', () => {
    assert.equal(formatListenerAddress('172.25.0.1', 17670), '172.25.0.1:17670');
    assert.equal(formatListenerAddress('fd00::1', 17670), '[fd00::1]:17670');
  });

  it('reads back what it formats, and a bare IP without a port', () => {
    assert.deepEqual(parseListenerAddress('172.25.0.1:17670'), { host: '172.25.0.1', port: 17670 });
    assert.deepEqual(parseListenerAddress('[fd00::1]:17670'), { host: 'fd00::1', port: 17670 });
    assert.deepEqual(parseListenerAddress('172.25.0.1'), { host: '172.25.0.1', port: undefined });
    assert.deepEqual(parseListenerAddress('fd00::1'), { host: 'fd00::1', port: undefined });
    assert.deepEqual(parseListenerAddress('[fd00::1]'), { host: 'fd00::1', port: undefined });
  });

  it('refuses host names and impossible ports', () => {
    for (const text of ['docker.internal', 'docker.internal:17670', '172.25.0.1:0', '172.25.0.1:70000', '', ':17670', '172.25.0.1:']) {
      assert.equal(parseListenerAddress(text), undefined, text);
    }
  });
});
