// Documentation is tested (STYLE.md rule 21; issue 9, item 4): every command line the
// READMEs, docs/ and `shellgate --help` show is run as written, and must exit 0 (or 130
// where the doc says it runs until Ctrl-C). This file runs the examples a gateway with the
// SDK's fake driver can answer; those that need a sandbox's supervisor or the Docker driver
// run against a real engine in e2e/src/docker/docker-doc-examples-suite.ts.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient } from '../harness/api-client.js';
import { fakeDriverTable } from '../harness/fake-driver-config.js';
import { GatewayProcess } from '../harness/gateway-process.js';
import { planDocExamples } from './example-plan.js';
import { ExampleShell, prepareGateway, runExample, type ExampleGateway } from './example-runner.js';

const planned = planDocExamples();
const examples = planned.map(({ example }) => example);

describe('docs: every documented command line', () => {
  it('is found (the extractor reads the pages and every --help)', () => {
    assert.ok(examples.length >= 40, `only ${examples.length} examples found`);
    assert.ok(examples.some((example) => example.sources.some((source) => source.endsWith('--help'))), 'no --help examples found');
  });

  it('is either run by a docs test or named with the reason it is not', (t) => {
    const unclassified = planned.filter(({ plan }) => plan.kind === 'unclassified').map(({ example }) => `${example.text} (${example.sources.join(', ')})`);
    assert.deepEqual(unclassified, [], 'add a rule to e2e/src/docs/example-plan.ts');
    for (const { example, plan } of planned) if (plan.kind === 'not-run') t.diagnostic(`not run: ${example.text} — ${plan.reason}`);
  });
});

describe('docs: examples against a gateway with the fake driver', () => {
  let gateway: GatewayProcess;
  let target: ExampleGateway;
  const shell = ExampleShell.create();

  before(async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'sg-e2e-docs-'));
    gateway = await GatewayProcess.start({ stateDir, configToml: fakeDriverTable('fake', stateDir) });
    target = { address: gateway.address, api: new ApiClient(gateway.address), readyTimeoutMs: 20_000 };
  });

  after(async () => {
    target?.api.close();
    await gateway?.stop();
    gateway?.removeState();
    shell.remove();
  });

  for (const { example, plan } of planned) {
    if (plan.kind === 'help') {
      it(example.text, { timeout: 60_000 }, () => runExample(example, 'batch', shell, plan.cwd, ''));
    } else if (plan.kind === 'cli' && plan.target === 'fake') {
      it(example.text, { timeout: 180_000 }, async () => {
        await prepareGateway(target, plan.setup);
        await runExample(example, plan.interaction, shell, plan.cwd, target.address);
      });
    }
  }
});
