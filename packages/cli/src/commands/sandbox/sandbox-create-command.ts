import { ExitCode } from '../../exit-code.js';
import type { Command } from '../command.js';
import { encodeCreateSandboxRequest, CREATE_REQUEST_FLAGS } from './encode-create-request.js';
import { printSandbox } from './print-sandboxes.js';
import { ProgressReporter } from './progress-reporter.js';
import { WAIT_FLAG } from './wait-flag.js';
import { waitForSandbox } from './wait-for-sandbox.js';

/** `shellgate sandbox create [NAME]`. */
export const sandboxCreateCommand: Command = {
  name: 'create',
  summary: 'Create a sandbox',
  usage: '[NAME] [flags]',
  description:
    'Creates a sandbox in the workspace. Without NAME the gateway generates one. With --wait, ' +
    'follows it until Ready (exit 0), Error (exit 1, with the reason) or the timeout (exit 124), ' +
    'printing phase changes and platform events on stderr.',
  flags: [...CREATE_REQUEST_FLAGS, WAIT_FLAG],
  examples: [
    'shellgate sandbox create dev --image node:20 --wait',
    'shellgate sandbox create --env MODE=ci --label team=ml --cpu 500m --memory 1Gi',
    'shellgate sandbox create job1 --cmd sleep --cmd 3600 --driver docker --driver-config \'{"network":"none"}\'',
    'shellgate sandbox create dev --wait --timeout 10m -o json',
  ],
  minPositionals: 0,
  maxPositionals: 1,
  doubleDashHint:
    "'shellgate sandbox create -- CMD' (create and attach) is reserved and not available yet; " +
    "give the main command with --cmd ARG (repeated) or --command-json '[\"a\",\"b\"]'",
  async run(context, input) {
    const { config } = context;
    const request = encodeCreateSandboxRequest(input.flags, input.positionals[0] ?? '', config.workspace);
    const isWaiting = input.flags.boolean('wait');
    const client = context.connect();
    const response = await client.call('createSandbox', request, {
      subject: { kind: 'sandbox', name: request.name || undefined, workspace: config.workspace },
      signal: context.signal,
      timeoutMs: isWaiting ? Math.min(config.callTimeoutMs, config.waitTimeoutMs) : config.callTimeoutMs,
    });
    let sandbox = response.sandbox;
    if (sandbox === undefined) return ExitCode.Failed;
    if (isWaiting) {
      const progress = new ProgressReporter(context.stderr, context.clock);
      sandbox = (await waitForSandbox(context, { sandbox, goal: 'ready', timeoutMs: config.waitTimeoutMs, progress })) ?? sandbox;
    }
    await printSandbox(context, sandbox);
    return ExitCode.Ok;
  },
};
