import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseToml } from 'smol-toml';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ConfigError, resolveConfig } from '../config/index.js';
import { fakeDriverConfig, toFakeDriverScript } from './fake-driver-config.js';
import { parseFakeDriverScript } from './parse-fake-driver-script.js';

function problemsOf(document: Record<string, unknown>): string[] {
  try {
    parseFakeDriverScript(document);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.problems.map((problem) => `${problem.origin}: ${problem.message}`);
  }
  return assert.fail('expected a ConfigError');
}

void test('an empty script is the default behaviour', () => {
  assert.deepEqual(parseFakeDriverScript({}), {
    driverName: 'fake',
    driverVersion: '0.1.0',
    defaultImage: 'fake/image:latest',
    gatewayManagesLifecycle: false,
    readyDelayMs: 0,
    stopReportedAs: 'suspended',
    stateFile: undefined,
    sharedStateDir: undefined,
    responses: [],
    watchEvents: [],
    listenerRequirements: [],
  });
});

void test('a full TOML script parses, with [[responses]] arrays', () => {
  const script = parseFakeDriverScript(
    parseToml(`
driver_name = "fake-2"
gateway_manages_lifecycle = true
ready_delay_ms = 250
state_file = "/tmp/fake.json"

[[responses]]
rpc = "CreateSandbox"
error = "FAILED_PRECONDITION"
message = "no capacity"
delay_ms = 100
times = 1
match_name = "x"

[[watch_events]]
kind = "platform_event"
delay_ms = 5
reason = "Pulled"

[[listener_requirements]]
reason = "callbacks"
default_route_interface = true
`),
  );
  assert.equal(script.driverName, 'fake-2');
  assert.equal(script.readyDelayMs, 250);
  assert.deepEqual(script.responses, [
    {
      rpc: 'CreateSandbox',
      error: 'FAILED_PRECONDITION',
      message: 'no capacity',
      delayMs: 100,
      times: 1,
      matchName: 'x',
      matchId: undefined,
    },
  ]);
  assert.equal(script.watchEvents[0]?.reason, 'Pulled');
  assert.equal(script.listenerRequirements[0]?.selector?.$case, 'defaultRouteInterface');
});

void test('unknown keys, rpc names, codes and kinds are reported with their key path', () => {
  const problems = problemsOf({
    driver_nmae: 'typo',
    ready_delay_ms: -1,
    responses: [
      { rpc: 'CreateSandboxes', error: 'FAILED_PRECONDITION' },
      { rpc: 'GetSandbox', error: 'NOT_A_CODE' },
      { rpc: 'ListSandboxes', error: 'INTERNAL', colour: 'red' },
      { rpc: 'ListSandboxes' },
      'not a table',
    ],
    watch_events: { boom: { kind: 'explosion' } },
    listener_requirements: [{ reason: 'none' }],
  });
  const expected = [
    /^ready_delay_ms: must be at least 0/,
    /^responses\[0\]\.rpc: unknown value "CreateSandboxes"; expected one of GetCapabilities, /,
    /^responses\[1\]\.error: unknown value "NOT_A_CODE"; expected one of INVALID_ARGUMENT, /,
    /^responses\[2\]\.colour: unknown key; known keys: rpc, error/,
    /^responses\[3\]: does nothing; set error, delay_ms or both/,
    /^responses\[4\]: expected a table, got "not a table"/,
    /^watch_events\.boom\.kind: unknown value "explosion"; expected one of platform_event, condition, deleted/,
    /^listener_requirements\[0\]: needs exactly one of exact_bind_address/,
    /^driver_nmae: unknown key; known keys: driver_name, /,
  ];
  for (const pattern of expected) {
    assert.ok(problems.some((problem) => pattern.test(problem)), `missing ${String(pattern)} in:\n${problems.join('\n')}`);
  }
  assert.equal(problems.length, expected.length, problems.join('\n'));
});

void test('wrong types and missing required keys are named', () => {
  const problems = problemsOf({
    gateway_manages_lifecycle: 'yes',
    responses: [{ error: 'INTERNAL', times: 0 }],
    watch_events: [{ kind: 'condition' }],
  });
  assert.deepEqual(problems.sort(), [
    'gateway_manages_lifecycle: expected true or false, got "yes"',
    'responses[0].rpc: is required; one of GetCapabilities, GetGatewayListenerRequirements, ValidateSandboxCreate, CreateSandbox, GetSandbox, ListSandboxes, StopSandbox, StartSandbox, DeleteSandbox, WatchSandboxes, EnsureWorkspace, DeleteWorkspace',
    'responses[0].times: must be at least 1; got 0',
    'watch_events[0].reason: is required for a condition event',
  ]);
});

void test("the README's fake driver script resolves through the binary's config schema", async () => {
  // Compiled to dist/fake-driver/; the README is two levels up.
  const readmePath = fileURLToPath(new URL('../../README.md', import.meta.url));
  const readme = await readFile(readmePath, 'utf8');
  const section = readme.slice(readme.indexOf('### The fake driver'));
  const text = /```toml\n([\s\S]*?)\n```/.exec(section)?.[1];
  assert.ok(text !== undefined, 'the README has a fake driver script');
  const script = toFakeDriverScript(resolveConfig(fakeDriverConfig, { file: { path: readmePath, text } }));
  assert.equal(script.readyDelayMs, 100);
  assert.deepEqual(script.responses.map((r) => [r.rpc, r.error, r.times]), [['CreateSandbox', 'FAILED_PRECONDITION', 1]]);
  assert.deepEqual(script.watchEvents.map((e) => [e.kind, e.matchName, e.reason]), [['condition', 'crashy', 'ContainerExited']]);
  assert.equal(script.listenerRequirements[0]?.selector?.$case, 'loopbackInterface');
});

void test('named [responses.NAME] tables resolve through the config schema as well as [[responses]]', () => {
  const resolve = (text: string): ReturnType<typeof toFakeDriverScript> =>
    toFakeDriverScript(resolveConfig(fakeDriverConfig, { file: { path: 'fake.toml', text } }));
  const named = resolve('[responses.busy]\nrpc = "ListSandboxes"\ndelay_ms = 5\n');
  const listed = resolve('[[responses]]\nrpc = "ListSandboxes"\ndelay_ms = 5\n');
  assert.deepEqual(named.responses, listed.responses);
  assert.equal(named.responses.length, 1);
});
