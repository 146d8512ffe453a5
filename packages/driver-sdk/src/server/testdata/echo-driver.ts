// A tiny driver binary for run-driver-main.test.ts: answers GetCapabilities with its config,
// and has a ListSandboxes that hangs until aborted, to exercise drain and the second signal.
// The greetings "refuse" and "crash" make createDriver fail with a bad setting or a bug.
import { once } from 'node:events';

import { defineConfig } from '../../config/define-config.js';
import { InvalidArgumentError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { ComputeDriverImpl } from '../driver-impl.js';
import { runDriverMain } from '../run-driver-main.js';

const config = defineConfig({
  keys: {
    greeting: { type: 'string', default: 'hello', env: 'ECHO_GREETING', flag: '--greeting', description: 'echoed as driverVersion' },
    delay_ms: { type: 'integer', default: 0, min: 0, env: 'ECHO_DELAY_MS', description: 'unused; a typed key for error tests' },
  },
});

await runDriverMain({
  name: 'shellgate-driver-echo',
  version: '0.0.1-test',
  description: 'a test driver that echoes its config',
  config,
  createDriver: (settings, logger): ComputeDriverImpl => {
    if (settings.greeting === 'refuse') {
      throw new InvalidArgumentError('greeting "refuse" is not a greeting', { hint: 'pick a friendlier greeting' });
    }
    if (settings.greeting === 'crash') throw new Error('echo driver bug');
    return createEchoDriver(settings.greeting, logger);
  },
});

function createEchoDriver(greeting: string, logger: Logger): ComputeDriverImpl {
  return {
    getCapabilities: () => ({
      driverName: 'echo',
      driverVersion: greeting,
      defaultImage: 'alpine',
      gatewayManagesLifecycle: false,
    }),
    listSandboxes: async (_request, ctx) => {
      await once(ctx.signal, 'abort');
      throw ctx.signal.reason;
    },
    close: () => logger.info('echo driver closed'),
  };
}
