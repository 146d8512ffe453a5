// node's spec reporter, plus the names of the tests that were still running in a test file
// killed by --test-timeout. Node 20 applies --test-timeout to each file as a whole, not to each
// test (nodejs/node#57656; per test only from node 24), and its report of a killed file names
// the file alone. Used by scripts/test.sh: node --test --test-reporter=./scripts/hung-test-reporter.mjs
import { Readable } from 'node:stream';
import { spec } from 'node:test/reporters';

const TIMEOUT_FAILURE = 'testTimeoutFailure';

// A reporter must be a default export: node's --test-reporter loads `default`.
export default async function* hungTestReporter(source) {
  const running = new RunningTests();
  yield* Readable.from(running.observe(source)).pipe(spec());
}

/** Per test file, the tests dequeued (started) and not yet complete, in start order. */
class RunningTests {
  #byFile = new Map();

  async *observe(source) {
    for await (const event of source) {
      const { type, data } = event;
      if (type === 'test:dequeue' && data.file !== undefined) this.#started(data);
      if (type === 'test:complete' && data.file !== undefined) this.#completed(data);
      if (type === 'test:fail' && isFileTimeout(data)) this.#nameHungTests(data);
      yield event;
    }
  }

  #started({ file, name, nesting }) {
    if (!this.#byFile.has(file)) this.#byFile.set(file, []);
    this.#byFile.get(file).push({ name, nesting });
  }

  #completed({ file, name, nesting }) {
    const running = this.#byFile.get(file) ?? [];
    const index = running.findLastIndex((test) => test.name === name && test.nesting === nesting);
    if (index !== -1) running.splice(index, 1);
  }

  /** Appends "still running: suite › test" to the file's timeout error, which spec prints twice. */
  #nameHungTests(data) {
    // No dequeue event for the file itself: this node does not send them, so nothing is known.
    if (!this.#byFile.has(data.file)) return;
    const running = this.#byFile.get(data.file).filter((test) => test.name !== data.file);
    this.#byFile.delete(data.file);
    const paths = innermostPaths(running);
    const error = data.details.error;
    error.cause = `${String(error.cause ?? error.message)}; still running: ${paths.length === 0 ? '(no test had started: a top-level hook or the file itself)' : paths.join('; ')}`;
  }
}

function isFileTimeout(data) {
  return data.nesting === 0 && data.name === data.file && data.details?.error?.failureType === TIMEOUT_FAILURE;
}

/** "suite › test" for each running test that has no running child (a suite stuck in a hook is its own leaf). */
function innermostPaths(running) {
  const paths = [];
  const ancestors = [];
  running.forEach((test, index) => {
    ancestors[test.nesting] = test.name;
    ancestors.length = test.nesting + 1;
    const next = running[index + 1];
    if (next === undefined || next.nesting <= test.nesting) paths.push(ancestors.join(' › '));
  });
  return paths;
}
