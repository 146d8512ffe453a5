import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ErrorCode } from '@shellgate/driver-sdk';

import { FakePodmanEngine } from '../testdata/fake-podman-engine.js';
import { MIN_PODMAN_VERSION, checkPodmanService, isVersionAtLeast } from './check-podman-service.js';

const signal = new AbortController().signal;

void describe('checkPodmanService', () => {
  void it('answers what libpod/info says of a Podman 4.3+ service', async () => {
    const engine = new FakePodmanEngine();
    engine.info_ = { version: '4.3.1', isRootless: true, cgroupVersion: 'v2' };
    assert.deepEqual(await checkPodmanService(engine, signal), engine.info_);
  });

  void it('refuses a Docker engine (no Libpod-Api-Version), saying what it found and what is needed (INVALID_ARGUMENT: exit 2)', async () => {
    const engine = new FakePodmanEngine();
    engine.ping_ = { apiVersion: '1.41', libpodApiVersion: undefined };
    await assert.rejects(checkPodmanService(engine, signal), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, ErrorCode.InvalidArgument);
      assert.match(error.message, /^unix:\/\/\/fake\/podman\.sock is not a Podman API service: its \/_ping answers Api-Version 1\.41 and no Libpod-Api-Version \(a Docker engine\?\); this driver needs Podman 4\.3\.0 or newer$/);
      assert.match(error.hint ?? '', /\[drivers\.docker\]/);
      return true;
    });
  });

  void it('refuses a Podman older than 4.3', async () => {
    const engine = new FakePodmanEngine();
    engine.ping_ = { apiVersion: '1.40', libpodApiVersion: '3.4.4' };
    await assert.rejects(checkPodmanService(engine, signal), { code: ErrorCode.InvalidArgument, message: /runs Podman 3\.4\.4 \(libpod API\); this driver needs Podman 4\.3\.0 or newer/ });
  });

  void it('names the command that starts a service when nothing answers', async () => {
    const engine = new FakePodmanEngine();
    engine.ping = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED /run/podman/podman.sock'), { code: 'ECONNREFUSED' });
    };
    await assert.rejects(checkPodmanService(engine, signal), (error: Error & { code?: string; hint?: string }) => {
      assert.equal(error.code, ErrorCode.InvalidArgument);
      assert.match(error.message, /^no Podman API service answers on unix:\/\/\/fake\/podman\.sock \(connect ECONNREFUSED/);
      assert.match(error.hint ?? '', /podman system service --time=0 unix:\/\/\/run\/podman\/podman\.sock/);
      return true;
    });
  });

  void it('compares versions numerically', () => {
    assert.deepEqual(['4.3.0', '4.3.1', '4.10.0', '5.0', 'v4.4.2'].map((v) => isVersionAtLeast(v, MIN_PODMAN_VERSION)), [true, true, true, true, true]);
    assert.deepEqual(['4.2.9', '3.4.4', 'dev', ''].map((v) => isVersionAtLeast(v, MIN_PODMAN_VERSION)), [false, false, false, false]);
  });
});
