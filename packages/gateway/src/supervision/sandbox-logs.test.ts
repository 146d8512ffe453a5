import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { GetSandboxLogsRequest, WatchSandboxRequest, type GetSandboxLogsResponse, type SandboxStreamEvent } from '@shellgate/api';
import type { LogLine } from '@shellgate/api/session';
import { LogLineLimits, TRUNCATED_FIELD, logLineBytes } from './bounded-log-line.js';
import { parseLogQuery, selectLogLines } from './log-query.js';
import { SandboxLogStore } from './sandbox-log-store.js';
import { StreamRecorder } from './testing/stream-recorder.js';
import { waitUntil } from './testing/wait-until.js';
import { startSupervisionFixture, type SupervisionFixture } from './testing/supervision-fixture.js';

function line(message: string, overrides: Partial<LogLine> = {}): LogLine {
  return { timestampMs: 1_000, level: 'info', source: 'main', target: '', message, fields: {}, ...overrides };
}

describe('SandboxLogStore', () => {
  it('holds at most its capacity per sandbox, dropping the oldest, and stamps the sandbox id itself', () => {
    const store = new SandboxLogStore({ lines: 3, bytes: 1024 * 1024 });
    store.append('a', ['1', '2'].map((m) => line(m)));
    store.append('a', ['3', '4', '5'].map((m) => line(m)));
    store.append('b', [line('b1')]);
    assert.deepEqual(store.held('a').map((l) => l.message), ['3', '4', '5']);
    assert.equal(store.heldCount('a'), 3);
    assert.deepEqual(store.held('a').map((l) => l.sandboxId), ['a', 'a', 'a']);
    assert.deepEqual(store.held('b').map((l) => l.message), ['b1']);
    store.drop('a');
    assert.deepEqual(store.held('a'), []);
  });

  it('stamps lines without a timestamp with their arrival time and cuts very long messages', () => {
    const store = new SandboxLogStore({ lines: 10, bytes: 1024 * 1024 }, () => 42);
    store.append('a', [line('x'.repeat(20_000), { timestampMs: 0, level: 'WARN' })]);
    const [held] = store.held('a');
    assert.equal(held!.timestampMs, 42);
    assert.equal(held!.level, 'WARN');
    assert.equal(held!.message.length, 16 * 1024 + 1);
  });

  it('caps every field of a hostile line and the whole line in bytes, saying what it dropped', () => {
    const store = new SandboxLogStore({ lines: 10, bytes: 1024 * 1024 });
    const huge = 'x'.repeat(1024 * 1024);
    const fields = Object.fromEntries(Array.from({ length: 200 }, (_, index) => [`k${index}${huge.slice(0, 300)}`, huge]));
    store.append('a', [line(huge, { level: huge, target: huge, source: huge, fields })]);
    const [held] = store.held('a');
    assert.ok(held !== undefined);
    assert.ok(logLineBytes(held) <= LogLineLimits.lineBytes, `line costs ${logLineBytes(held)} bytes`);
    assert.equal(held.level.length, LogLineLimits.levelChars + 1);
    assert.equal(held.target.length, LogLineLimits.targetChars + 1);
    assert.equal(held.source.length, LogLineLimits.sourceChars + 1);
    assert.match(held.fields[TRUNCATED_FIELD] ?? '', /^\d+ field\(s\) dropped/);
    assert.ok(Object.keys(held.fields).every((key) => key.length <= LogLineLimits.fieldKeyChars + 1));
  });

  it('holds at most its byte capacity per sandbox, dropping the oldest lines', () => {
    const store = new SandboxLogStore({ lines: 10_000, bytes: 64 * 1024 });
    for (let index = 0; index < 200; index += 1) store.append('a', [line(`${index} ${'y'.repeat(2000)}`)]);
    assert.ok(store.heldBytes('a') <= 64 * 1024, `holds ${store.heldBytes('a')} bytes`);
    assert.ok(store.heldCount('a') < 200 && store.heldCount('a') > 0);
    assert.match(store.held('a').at(-1)?.message ?? '', /^199 /);
  });

  it('hands each batch to followers until they unsubscribe', () => {
    const store = new SandboxLogStore({ lines: 10, bytes: 1024 * 1024 });
    const seen: string[] = [];
    const stop = store.follow('a', (lines) => seen.push(...lines.map((l) => l.message)));
    store.append('a', [line('1'), line('2')]);
    store.append('b', [line('other')]);
    stop();
    store.append('a', [line('3')]);
    assert.deepEqual(seen, ['1', '2']);
  });
});

describe('log queries', () => {
  const store = new SandboxLogStore({ lines: 100, bytes: 1024 * 1024 });
  store.append('a', [
    line('t', { level: 'trace', timestampMs: 1 }),
    line('d', { level: 'debug', timestampMs: 2, source: 'supervisor' }),
    line('i', { level: 'info', timestampMs: 3 }),
    line('w', { level: 'warn', timestampMs: 4, source: 'supervisor' }),
    line('e', { level: 'error', timestampMs: 5 }),
    line('odd', { level: 'notice', timestampMs: 6 }),
    line('g', { level: 'INFO', timestampMs: 7, source: '' }),
    line('s', { level: 'Warn', timestampMs: 8, source: 'sandbox', fields: { 'shellgate.source': 'supervisor' } }),
  ]);
  const select = (fields: Partial<Parameters<typeof parseLogQuery>[0]>): string[] =>
    selectLogLines(store.held('a'), parseLogQuery({ tailLines: 0, sinceMs: 0, sources: [], minLevel: '', minLevelField: 'min_level', ...fields })).map((l) => l.message);

  it('filters by since, sources and minimum level (trace < debug < info < warn < error; unknown ranks as info), then takes the tail', () => {
    assert.deepEqual(select({}), ['t', 'd', 'i', 'w', 'e', 'odd', 'g', 's']);
    assert.deepEqual(select({ sinceMs: 4 }), ['w', 'e', 'odd', 'g', 's']);
    assert.deepEqual(select({ sources: ['supervisor'] }), ['d', 'w', 's']);
    assert.deepEqual(select({ minLevel: 'warn' }), ['w', 'e', 's']);
    assert.deepEqual(select({ minLevel: 'INFO' }), ['i', 'w', 'e', 'odd', 'g', 's']);
    assert.deepEqual(select({ tailLines: 2 }), ['g', 's']);
    assert.deepEqual(select({ tailLines: 2, sources: ['supervisor'], minLevel: 'debug' }), ['w', 's']);
  });

  it('keeps lines in upstream\'s spelling (source gateway|sandbox, level INFO) and filters by either spelling', () => {
    const held = store.held('a');
    assert.deepEqual(held.map((l) => [l.source, l.level, l.fields['shellgate.source'] ?? '-']), [
      ['sandbox', 'TRACE', 'main'],
      ['sandbox', 'DEBUG', 'supervisor'],
      ['sandbox', 'INFO', 'main'],
      ['sandbox', 'WARN', 'supervisor'],
      ['sandbox', 'ERROR', 'main'],
      ['sandbox', 'NOTICE', 'main'],
      ['gateway', 'INFO', '-'],
      ['sandbox', 'WARN', 'supervisor'],
    ]);
    assert.deepEqual(select({ sources: ['gateway'] }), ['g']);
    assert.deepEqual(select({ sources: ['sandbox'] }), ['t', 'd', 'i', 'w', 'e', 'odd', 's']);
    assert.deepEqual(select({ sources: ['MAIN'], minLevel: 'Warning' }), ['e']);
  });

  it('bounds an answer in bytes: a tail keeps the newest lines that fit, a full read the oldest', () => {
    const big = new SandboxLogStore({ lines: 100, bytes: 10 * 1024 * 1024 });
    big.append('a', Array.from({ length: 10 }, (_, index) => line(`${index}${'z'.repeat(1000)}`)));
    const query = (tailLines: number) => parseLogQuery({ tailLines, sinceMs: 0, sources: [], minLevel: '', minLevelField: 'min_level' });
    const cost = logLineBytes(big.held('a')[0]!);
    assert.deepEqual(selectLogLines(big.held('a'), query(5), cost * 3).map((l) => l.message[0]), ['7', '8', '9']);
    assert.deepEqual(selectLogLines(big.held('a'), query(0), cost * 3).map((l) => l.message[0]), ['0', '1', '2']);
    assert.equal(selectLogLines(big.held('a'), query(0), 1).length, 1, 'one line always moves a reader on');
  });

  it('an unknown minimum level is INVALID_ARGUMENT naming the field and the levels', () => {
    assert.throws(() => select({ minLevel: 'loud' }), (error: Error & { code?: string }) => {
      assert.match(error.message, /min_level: unknown log level "loud"/);
      assert.equal(error.code, 'INVALID_ARGUMENT');
      return true;
    });
  });
});

describe('GetSandboxLogs and WatchSandbox follow_logs over gRPC', () => {
  let f: SupervisionFixture;
  beforeEach(async () => {
    f = await startSupervisionFixture({ logBufferLines: 5 });
  });
  afterEach(async () => f.close());

  async function getLogs(request: Partial<GetSandboxLogsRequest>): Promise<GetSandboxLogsResponse> {
    return new Promise((resolve, reject) => {
      f.openShell.getSandboxLogs(GetSandboxLogsRequest.fromPartial(request), f.metadata(), (error, response) => (error === null ? resolve(response) : reject(error)));
    });
  }

  it('serves the lines a supervisor sent, by id or by name, bounded by sandbox_log_buffer_lines', async () => {
    const { id, supervisor } = await f.readySandbox();
    // A payload cannot pick another sandbox: the session decides whose lines these are.
    supervisor.sendLogs([1, 2, 3, 4, 5, 6, 7].map((n) => ({ message: `line ${n}`, timestampMs: n })));
    supervisor.sendLogs([{ message: 'warned', level: 'warn', source: 'supervisor', timestampMs: 8, fields: { k: 'v' } }]);
    await waitUntil(async () => (await getLogs({ sandboxId: id })).logs.at(-1)?.message === 'warned');
    const byId = await getLogs({ sandboxId: id });
    assert.deepEqual(byId.logs.map((l) => l.message), ['line 4', 'line 5', 'line 6', 'line 7', 'warned']);
    assert.equal(byId.bufferTotal, 5);
    assert.deepEqual(byId.logs.at(-1), {
      sandboxId: id,
      timestampMs: 8,
      level: 'WARN',
      target: '',
      message: 'warned',
      source: 'sandbox',
      fields: { 'shellgate.source': 'supervisor', k: 'v' },
    });
    const byName = await getLogs({ sandboxId: 'box', lines: 2, minLevel: 'info', sources: ['main'] });
    assert.deepEqual(byName.logs.map((l) => l.message), ['line 6', 'line 7']);
    assert.equal(byName.bufferTotal, 5);
    const since = await getLogs({ sandboxId: 'box', sinceMs: 7 });
    assert.deepEqual(since.logs.map((l) => l.message), ['line 7', 'warned']);
  });

  it('unknown sandbox is NOT_FOUND (also a name in another workspace); unknown level INVALID_ARGUMENT', async () => {
    await f.readySandbox();
    await assert.rejects(getLogs({ sandboxId: 'missing' }), (error: ServiceError) => error.code === GrpcStatus.NOT_FOUND && /"missing" not found/.test(error.details));
    await assert.rejects(getLogs({ sandboxId: 'box', workspace: 'elsewhere' }), (error: ServiceError) => error.code === GrpcStatus.NOT_FOUND);
    await assert.rejects(getLogs({ sandboxId: 'box', minLevel: 'verbose' }), (error: ServiceError) => error.code === GrpcStatus.INVALID_ARGUMENT && /min_level/.test(error.details));
  });

  it('buffers are dropped when the sandbox is deleted', async () => {
    const { id, supervisor } = await f.readySandbox();
    supervisor.sendLogs([{ message: 'before delete' }]);
    await waitUntil(async () => f.logs.heldCount(id) === 1);
    await f.h.service.delete('default', 'box');
    assert.equal(f.logs.heldCount(id), 0);
  });

  it('WatchSandbox follow_logs sends the filtered tail, then matching live lines', async () => {
    const { id, supervisor } = await f.readySandbox();
    supervisor.sendLogs([
      { message: 'old debug', level: 'debug', timestampMs: 1 },
      { message: 'old 1', timestampMs: 2 },
      { message: 'old 2', timestampMs: 3 },
      { message: 'old 3', timestampMs: 4 },
    ]);
    await waitUntil(async () => f.logs.heldCount(id) === 4);
    const stream = f.openShell.watchSandbox(WatchSandboxRequest.fromPartial({ id, followLogs: true, logTailLines: 2, logMinLevel: 'info', logSources: ['main'] }), f.metadata());
    const recorder = new StreamRecorder<SandboxStreamEvent>(stream);
    const messages = (): string[] => recorder.messages.map((e) => (e.payload?.$case === 'log' ? e.payload.log.message : `?${e.payload?.$case}`));
    await recorder.waitFor((e) => (messages().length >= 2 ? e : undefined));
    supervisor.sendLogs([{ message: 'live debug', level: 'debug' }, { message: 'live sup', source: 'supervisor' }, { message: 'live 1' }]);
    await recorder.waitFor((e) => (e.payload?.$case === 'log' && e.payload.log.message === 'live 1' ? e : undefined), 'live 1');
    assert.deepEqual(messages(), ['old 2', 'old 3', 'live 1']);
    stream.cancel();
    assert.equal((await recorder.ended).code, GrpcStatus.CANCELLED);
  });

  it('WatchSandbox follow_logs with log_tail_lines 0 sends no tail, only new lines; 4294967295 sends every held line', async () => {
    const { id, supervisor } = await f.readySandbox();
    supervisor.sendLogs([{ message: 'old 1' }, { message: 'old 2' }]);
    await waitUntil(() => f.logs.heldCount(id) === 2);
    // follow_status: the object comes first, and the stream follows logs from the same step on.
    const live = new StreamRecorder<SandboxStreamEvent>(f.openShell.watchSandbox(WatchSandboxRequest.fromPartial({ id, followLogs: true, followStatus: true }), f.metadata()));
    const all = new StreamRecorder<SandboxStreamEvent>(f.openShell.watchSandbox(WatchSandboxRequest.fromPartial({ id, followLogs: true, logTailLines: 0xffffffff }), f.metadata()));
    await live.waitFor((e) => (e.payload?.$case === 'sandbox' ? e : undefined), 'the sandbox');
    await all.waitFor((e) => (e.payload?.$case === 'log' && e.payload.log.message === 'old 2' ? e : undefined), 'old 2');
    supervisor.sendLogs([{ message: 'new' }]);
    const messagesOf = (r: StreamRecorder<SandboxStreamEvent>): string[] => r.messages.flatMap((e) => (e.payload?.$case === 'log' ? [e.payload.log.message] : []));
    await live.waitFor((e) => (e.payload?.$case === 'log' ? e : undefined), 'a live line');
    await all.waitFor((e) => (e.payload?.$case === 'log' && e.payload.log.message === 'new' ? e : undefined), 'new');
    assert.deepEqual(messagesOf(live), ['new']);
    assert.deepEqual(messagesOf(all), ['old 1', 'old 2', 'new']);
  });

  it('WatchSandbox with an unknown log_min_level is INVALID_ARGUMENT', async () => {
    const { id } = await f.readySandbox();
    const stream = f.openShell.watchSandbox(WatchSandboxRequest.fromPartial({ id, followLogs: true, logMinLevel: 'chatty' }), f.metadata());
    const ended = await new StreamRecorder<SandboxStreamEvent>(stream).ended;
    assert.equal(ended.code, GrpcStatus.INVALID_ARGUMENT);
    assert.match(ended.details, /log_min_level: unknown log level "chatty"/);
  });
});
