import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';

import type { GuestLaunch } from './config-disk.js';
import { buildConfigDisk, encodeLaunchScript, quoteShellWord } from './config-disk.js';

const HOSTILE = `it's $(touch /tmp/pwned) \`id\` "x" \\ \n; rm -rf /`;

const LAUNCH: GuestLaunch = {
  hostname: 'box',
  workdir: '/srv/app',
  isOutboundAllowed: false,
  disks: [{ serial: 'sg-disk-0', target: '/data' }],
  env: { PATH: '/bin', HOSTILE, 'ODD.NAME': 'v' },
  argv: ['/bin/sh', '-c', HOSTILE],
};

/** Sources launch.sh in a real sh with env/nsenter replaced by printers, and returns what they got. */
function runLaunchScript(script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sg-launch-'));
  try {
    writeFileSync(join(dir, 'launch.sh'), script.replaceAll('/bin/env -i', 'printf "[%s]\\n"'));
    return execFileSync('sh', ['-c', `. ${quoteShellWord(join(dir, 'launch.sh'))}; echo "$SG_HOSTNAME|$SG_WORKDIR|$SG_OUTBOUND|$SG_DISKS"; (sg_exec)`], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('launch.sh', () => {
  it('hands every value to /init as data, never as shell code', () => {
    const output = runLaunchScript(encodeLaunchScript(LAUNCH));
    assert.ok(output.startsWith('box|/srv/app|0|sg-disk-0:/data\n'), output);
    assert.ok(output.includes(`[HOSTILE=${HOSTILE}]`), 'the hostile value arrives verbatim');
    assert.ok(output.includes('[ODD.NAME=v]'), 'env names that are not shell identifiers pass too');
    assert.ok(output.includes('[-w/newroot/srv/app]'), 'the entrypoint starts in the image\'s working dir');
    assert.ok(output.endsWith(`[/bin/sh]\n[-c]\n[${HOSTILE}]\n`), 'the argv arrives verbatim, after --');
  });
});

describe('buildConfigDisk', () => {
  it('is whole 4 KiB blocks holding launch.sh and the token as a 0600 file; no token, no file', () => {
    const disk = buildConfigDisk(LAUNCH, 'the-token');
    assert.equal(disk.length % 4096, 0);
    assert.ok(disk.includes('launch.sh\0') && disk.includes('token\0') && disk.includes('the-token'));
    assert.ok(disk.includes(`0000${(0o100600).toString(16)}`), 'the token entry is mode 0600');
    assert.ok(!buildConfigDisk(LAUNCH, undefined).includes('token\0'));
  });

  it('carries the supervisor_tls_* files under tls/, each 0444, and no tls/ without them', () => {
    const disk = buildConfigDisk(LAUNCH, 'the-token', [{ name: 'ca.pem', data: Buffer.from('CA-PEM') }, { name: 'client.pem', data: Buffer.from('CLIENT-PEM') }]);
    assert.ok(disk.includes('tls\0') && disk.includes('tls/ca.pem\0') && disk.includes('tls/client.pem\0') && disk.includes('CA-PEM') && disk.includes('CLIENT-PEM'));
    assert.ok(disk.includes(`0000${(0o100444).toString(16)}`), 'the TLS files are mode 0444');
    assert.ok(!buildConfigDisk(LAUNCH, 'the-token').includes('tls\0'));
  });
});
