// Documentation is tested (STYLE.md rule 21): docs/ must name every gateway setting, cite
// only flags the binaries really have, and link only to files that exist; the README's two
// commands must exist; every binary's --help must work.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { envNamesOf } from '@shellgate/driver-sdk';
import type { ConfigKeySpecs } from '@shellgate/driver-sdk';
import { gatewayConfigSchema } from '@shellgate/gateway';
import { CLI_BIN, CONFORMANCE_BIN, FAKE_DRIVER_BIN, GATEWAY_BIN, SUPERVISOR_BIN, SUPERVISOR_BUNDLE_BIN } from '../harness/paths.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOCS_DIR = join(REPO_ROOT, 'docs');

function readRepoFile(path: string): string {
  return readFileSync(join(REPO_ROOT, path), 'utf8');
}

interface HelpRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `node <dist path> ...args --help` the way an operator would, with a clean config path. */
function runHelp(binPath: string, args: readonly string[] = []): HelpRun {
  const result = spawnSync(process.execPath, [binPath, ...args, '--help'], {
    encoding: 'utf8',
    timeout: 20_000,
    // A developer's own gateway.toml or SHELLGATE_* settings must not change the outcome.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/nonexistent' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every binary and the help invocations whose text a doc page may cite flags from. */
const BINARIES = {
  'shellgate-gateway': { bin: GATEWAY_BIN, helpArgs: [[]] },
  shellgate: { bin: CLI_BIN, helpArgs: [[], ['sandbox', 'create'], ['sandbox', 'exec'], ['sandbox', 'connect'], ['sandbox', 'logs']] },
  'shellgate-supervisor': { bin: SUPERVISOR_BIN, helpArgs: [[]] },
  'shellgate-supervisor-bundle': { bin: SUPERVISOR_BUNDLE_BIN, helpArgs: [[]] },
  'shellgate-driver-conformance': { bin: CONFORMANCE_BIN, helpArgs: [[]] },
  'shellgate-fake-driver': { bin: FAKE_DRIVER_BIN, helpArgs: [[]] },
} as const satisfies Record<string, { bin: string; helpArgs: readonly (readonly string[])[] }>;

type BinaryName = keyof typeof BINARIES;

/** Which binaries each page documents: the flags it cites must appear in their help. */
const DOC_PAGES: Readonly<Record<string, readonly BinaryName[]>> = {
  'gateway.md': ['shellgate-gateway'],
  'cli.md': ['shellgate'],
  'writing-a-driver.md': ['shellgate-driver-conformance', 'shellgate-fake-driver'],
  'supervisor.md': ['shellgate-supervisor', 'shellgate-supervisor-bundle'],
};

/** Flags a page cites from other programs (the dynamic loader, docker, node), not ours. */
const FOREIGN_FLAGS: Readonly<Record<string, readonly string[]>> = {
  'supervisor.md': ['--library-path', '--init', '--disable-sigusr1'],
};

const helpCache = new Map<BinaryName, string>();

function helpTextOf(name: BinaryName): string {
  let text = helpCache.get(name);
  if (text === undefined) {
    const { bin, helpArgs } = BINARIES[name];
    text = helpArgs.map((args) => runHelp(bin, args).stdout).join('\n');
    helpCache.set(name, text);
  }
  return text;
}

/** Long flags (`--name`) cited anywhere in a page, prose and examples alike. */
function citedFlags(markdown: string): string[] {
  return [...new Set(markdown.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [])].sort();
}

describe('docs: gateway settings', () => {
  const gatewayDoc = readFileSync(join(DOCS_DIR, 'gateway.md'), 'utf8');
  const settings = Object.entries(gatewayConfigSchema.keys as ConfigKeySpecs);

  it('has settings to check', () => {
    assert.ok(settings.length >= 10, `the gateway schema has only ${settings.length} keys`);
  });

  for (const [key, spec] of settings) {
    it(`gateway.md documents ${key} with its flag and env vars`, () => {
      assert.ok(gatewayDoc.includes(`\`${key}\``), `docs/gateway.md never mentions \`${key}\``);
      if (spec.flag !== undefined) assert.ok(gatewayDoc.includes(spec.flag), `docs/gateway.md never mentions ${spec.flag} (setting ${key})`);
      for (const env of envNamesOf(spec)) assert.ok(gatewayDoc.includes(env), `docs/gateway.md never mentions ${env} (setting ${key})`);
    });
  }
});

describe('docs: the README commands', () => {
  const readme = readRepoFile('README.md');

  for (const script of ['scripts/start.sh', 'scripts/test.sh']) {
    it(`README gives "bash ${script}" and the script exists and is executable`, () => {
      assert.ok(readme.includes(`bash ${script}`), `README.md does not show "bash ${script}"`);
      const mode = statSync(join(REPO_ROOT, script)).mode;
      assert.ok((mode & 0o111) !== 0, `${script} is not executable (mode ${(mode & 0o777).toString(8)})`);
      assert.match(readRepoFile(script), /^#!\/usr\/bin\/env bash\n/);
    });
  }

  it('.ci/run runs scripts/test.sh', () => {
    const ci = readRepoFile('.ci/run');
    assert.match(ci, /^\s*(exec\s+)?bash scripts\/test\.sh\b/m);
    assert.ok((statSync(join(REPO_ROOT, '.ci/run')).mode & 0o111) !== 0, '.ci/run is not executable');
  });
});

describe('docs: --help of every binary', () => {
  for (const [name, { bin, helpArgs }] of Object.entries(BINARIES)) {
    for (const args of helpArgs) {
      it(`${[name, ...args].join(' ')} --help exits 0 with help on stdout only`, () => {
        const result = runHelp(bin, args);
        assert.equal(result.status, 0, `exit ${result.status}; stderr: ${result.stderr}`);
        assert.ok(result.stdout.trim().length > 0, 'stdout is empty');
        assert.equal(result.stderr, '');
        assert.match(result.stdout, /usage/i);
      });
    }
  }

  for (const [page, binaries] of Object.entries(DOC_PAGES)) {
    it(`every flag docs/${page} cites is in the help of ${binaries.join(', ')}`, () => {
      const foreign = FOREIGN_FLAGS[page] ?? [];
      const flags = citedFlags(readFileSync(join(DOCS_DIR, page), 'utf8')).filter((flag) => !foreign.includes(flag));
      assert.ok(flags.length > 0, `docs/${page} cites no flags; is the page empty?`);
      const help = binaries.map((name) => helpTextOf(name)).join('\n');
      const missing = flags.filter((flag) => !new RegExp(`(?<![\\w-])${flag}(?![\\w-])`).test(help));
      assert.deepEqual(missing, [], `docs/${page} cites flags the help of ${binaries.join(', ')} does not know`);
    });
  }
});

describe('docs: links', () => {
  const pages = ['README.md', ...Object.keys(DOC_PAGES)];

  for (const page of pages) {
    it(`docs/${page} links only to files that exist in the repository`, () => {
      const text = readFileSync(join(DOCS_DIR, page), 'utf8');
      const targets = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
      const broken = targets.filter((target) => {
        const path = target.split('#')[0]!;
        if (path === '') return false;
        const absolute = resolve(dirname(join(DOCS_DIR, page)), path);
        return relative(REPO_ROOT, absolute).startsWith('..') || !existsSync(absolute);
      });
      assert.deepEqual(broken, []);
    });
  }

  it('every page is listed in docs/README.md', () => {
    const index = readFileSync(join(DOCS_DIR, 'README.md'), 'utf8');
    for (const page of Object.keys(DOC_PAGES)) assert.ok(index.includes(`](${page})`), `docs/README.md does not link ${page}`);
  });
});
