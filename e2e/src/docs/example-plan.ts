// How each documented command is run as written: against which gateway, with which
// sandboxes in place first, and how a person would drive it. A line no rule covers is
// unclassified, and the docs test fails on it: no example is left out silently.
import type { CliHelp } from './cli-help.js';
import { readCliHelp } from './cli-help.js';
import type { DocExample } from './doc-examples.js';
import { listDocPages, mergeExamples, readMarkdownExamples } from './doc-examples.js';
import { splitShellLine } from './shell-words.js';

/** `fake`: a gateway with the SDK's fake driver. `docker`: the Docker driver with the supervisor. */
export type Target = 'fake' | 'docker';

/** How the command is driven: run to its end, a shell on a terminal, or followed then Ctrl-C. */
export type Interaction = 'batch' | 'terminal-shell' | 'follow-then-ctrl-c';

/** What must hold on the gateway before the example runs. */
export interface ExampleSetup {
  /** Sandboxes that must exist and be Ready. */
  readonly readySandboxes: readonly string[];
  /** Sandboxes the example creates, so they must not exist yet. */
  readonly absentSandboxes: readonly string[];
  readonly workspaces: readonly string[];
  readonly absentWorkspaces: readonly string[];
}

export type ExamplePlan =
  | { readonly kind: 'cli'; readonly target: Target; readonly setup: ExampleSetup; readonly interaction: Interaction; readonly cwd: 'fixture' | 'repo' }
  /** A program's --help, run from the repository root or with the binaries on PATH. */
  | { readonly kind: 'help'; readonly cwd: 'fixture' | 'repo' }
  /** `shellgate-gateway --config FILE`: FILE is the page's own gateway.toml example. */
  | { readonly kind: 'gateway-server'; readonly configFile: string }
  | { readonly kind: 'not-run'; readonly reason: string }
  | { readonly kind: 'unclassified' };

/**
 * Lines that are documented but not run here, each with the reason. Everything else must
 * be a `shellgate` or `shellgate-gateway` command (issue 9, item 4) or a binary's --help.
 */
const NOT_RUN: readonly { readonly pattern: RegExp; readonly reason: string }[] = [
  { pattern: /gw\.example/, reason: 'a placeholder gateway host with placeholder credential files; TLS and tokens run in e2e/src/gateway/gateway-security.test.ts' },
  { pattern: /^(pnpm|npm) /, reason: 'a package-manager command: it installs from the npm registry or rebuilds the workspace under test' },
  { pattern: /^npx shellgate-gateway /, reason: 'runs the gateway of an npm install from the packed tarballs; e2e/src/packaging/packaging-matrix.test.ts starts each installed combination' },
  { pattern: /shellgate-local\/gateway:/, reason: 'the gateway image scripts/image.sh builds; e2e/src/packaging/packaging-matrix.test.ts builds one, runs it with the state dir mounted at the same path, checks its driver list and runs a sandbox to Ready through the CLI inside it' },
  { pattern: /^bash scripts\//, reason: "the repository's own entry points; they start and stop the machine's engines (docs.test.ts checks they exist)" },
  { pattern: /^podman system service /, reason: "starts the machine's Podman API service; scripts/engines/podman.sh runs it for the e2e tests" },
  {
    pattern: /^(my-driver|shellgate-driver-conformance|shellgate-fake-driver|shellgate-driver-docker|shellgate-driver-podman|shellgate-driver-vm|shellgate-supervisor-bundle) |^node (dist\/|--test )|^printf /,
    reason: 'a driver-author or driver-operator example, not a CLI or gateway command; the conformance kit runs in e2e/src/container, e2e/src/vm and packages/driver-sdk/src/testing/example, and the VM driver\'s prepare in scripts/engines/vm.sh',
  },
];

const SHELLS = new Set(['sh', 'ash', 'bash']);
const NO_SETUP: ExampleSetup = { readySandboxes: [], absentSandboxes: [], workspaces: [], absentWorkspaces: [] };

interface CliCall {
  readonly path: string;
  readonly args: readonly string[];
  readonly flags: ReadonlyMap<string, string | true>;
  /** The words after `--`, if any. */
  readonly command: readonly string[] | undefined;
}

/** Reads a `shellgate` argument list the way the CLI's parser does, using the flags its help lists. */
function parseCliCall(words: readonly string[], help: CliHelp): CliCall {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  let command: string[] | undefined;
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index]!;
    if (word === '--') {
      command = words.slice(index + 1);
      break;
    }
    const long = /^(--[^=]+)(?:=(.*))?$/.exec(word);
    if (long !== null) {
      flags.set(long[1]!, long[2] ?? (help.valueFlags.has(long[1]!) ? (words[++index] ?? '') : true));
    } else if (/^-[A-Za-z]$/.test(word)) {
      flags.set(word, help.valueFlags.has(word) ? (words[++index] ?? '') : true);
    } else if (/^-[A-Za-z]+$/.test(word)) {
      for (const letter of word.slice(1)) flags.set(`-${letter}`, true);
    } else {
      positionals.push(word);
    }
  }
  const path = [positionals[0], positionals[1]].join(' ');
  if (help.leafCommands.has(path)) return { path, args: positionals.slice(2), flags, command };
  return { path: positionals.join(' '), args: [], flags, command };
}

function setup(partial: Partial<ExampleSetup>): ExampleSetup {
  return { ...NO_SETUP, ...partial };
}

/** Which gateway, setup and driving a CLI call needs; undefined for a command we do not know. */
function planCliCall(call: CliCall): Omit<Extract<ExamplePlan, { kind: 'cli' }>, 'kind' | 'cwd'> | undefined {
  const has = (...names: string[]): boolean => names.some((name) => call.flags.has(name));
  const named = call.args.filter((name) => name !== 'default');
  const isShell = SHELLS.has(call.command?.[0] ?? '');
  switch (call.path) {
    case 'sandbox create': {
      // Attaching a command needs the supervisor; driver_config for docker needs the real driver.
      const target = call.command !== undefined || call.flags.get('--driver') === 'docker' ? 'docker' : 'fake';
      return { target, setup: setup({ absentSandboxes: call.args }), interaction: isShell ? 'terminal-shell' : 'batch' };
    }
    case 'sandbox exec':
      return { target: 'docker', setup: setup({ readySandboxes: call.args }), interaction: has('-t', '--tty') && isShell ? 'terminal-shell' : 'batch' };
    case 'sandbox connect':
      return { target: 'docker', setup: setup({ readySandboxes: call.args }), interaction: 'terminal-shell' };
    case 'sandbox logs':
      return { target: 'docker', setup: setup({ readySandboxes: call.args }), interaction: has('-f', '--follow') ? 'follow-then-ctrl-c' : 'batch' };
    case 'sandbox watch':
      return { target: 'fake', setup: setup({ readySandboxes: call.args }), interaction: has('--stop-on-terminal') ? 'batch' : 'follow-then-ctrl-c' };
    case 'sandbox get':
    case 'sandbox stop':
    case 'sandbox start':
    case 'sandbox delete':
      return { target: 'fake', setup: setup({ readySandboxes: call.args }), interaction: 'batch' };
    case 'workspace create':
      return { target: 'fake', setup: setup({ absentWorkspaces: named }), interaction: 'batch' };
    case 'workspace get':
    case 'workspace delete':
      return { target: 'fake', setup: setup({ workspaces: named }), interaction: 'batch' };
    case 'sandbox list':
    case 'workspace list':
    case 'gateway info':
    case 'gateway health':
    case '':
      return { target: 'fake', setup: NO_SETUP, interaction: 'batch' };
    default:
      return undefined;
  }
}

/** The words of the first `shellgate` invocation in a line (`tar c src | shellgate ...` too). */
function findCliWords(words: readonly { text: string; isOperator: boolean }[]): string[] | undefined {
  const start = words.findIndex((token, index) =>
    !token.isOperator && (token.text === 'shellgate' || (token.text === 'node' && words[index + 1]?.text === 'packages/cli/dist/main.js')));
  if (start < 0) return undefined;
  const first = words[start]!.text === 'node' ? start + 2 : start + 1;
  const end = words.findIndex((token, index) => index >= first && token.isOperator);
  return words.slice(first, end < 0 ? undefined : end).map((token) => token.text);
}

/** How to run one documented line. */
export function planExample(text: string, help: CliHelp): ExamplePlan {
  const notRun = NOT_RUN.find(({ pattern }) => pattern.test(text));
  if (notRun !== undefined) return { kind: 'not-run', reason: notRun.reason };
  const tokens = splitShellLine(text);
  const words = tokens.map((token) => token.text);
  const cwd = text.startsWith('node packages/') ? 'repo' : 'fixture';
  const isGateway = words[0] === 'shellgate-gateway' || (words[0] === 'node' && words[1] === 'packages/gateway/dist/main.js');
  if (isGateway && !words.includes('--help')) {
    const configIndex = words.indexOf('--config');
    const configFile = configIndex < 0 ? undefined : words[configIndex + 1];
    if (configFile === undefined) return { kind: 'unclassified' };
    if (configFile.startsWith('/')) {
      return { kind: 'not-run', reason: "an operator's system path; the same command with the file beside it runs from packages/gateway/README.md" };
    }
    return { kind: 'gateway-server', configFile };
  }
  const cliWords = findCliWords(tokens);
  if (cliWords === undefined) return words.includes('--help') && cwd === 'repo' || isGateway ? { kind: 'help', cwd } : { kind: 'unclassified' };
  const plan = planCliCall(parseCliCall(cliWords, help));
  return plan === undefined ? { kind: 'unclassified' } : { kind: 'cli', cwd, ...plan };
}

/** Every documented command line with its plan: the pages' ```sh blocks and every --help. */
export function planDocExamples(): { readonly example: DocExample; readonly plan: ExamplePlan }[] {
  const help = readCliHelp();
  const examples = mergeExamples([...listDocPages().flatMap(readMarkdownExamples), ...help.examples]);
  return examples.map((example) => ({ example, plan: planExample(example.text, help) }));
}
