import { GetGatewayInfoResponse, HealthResponse, ServiceStatus } from '@shellgate/api';
import { ExitCode } from '../../exit-code.js';
import { formatStructured } from '../../output/format-structured.js';
import { renderTable } from '../../output/render-table.js';
import type { Command } from '../command.js';

/** `SERVICE_STATUS_HEALTHY` → `Healthy`. */
export function serviceStatusName(status: ServiceStatus): string {
  const name = ServiceStatus[status] as string | undefined;
  if (name === undefined || status === ServiceStatus.UNRECOGNIZED) return 'Unknown';
  const bare = name.replace(/^SERVICE_STATUS_/, '').toLowerCase();
  return bare.charAt(0).toUpperCase() + bare.slice(1);
}

/** `shellgate gateway info`. */
export const gatewayInfoCommand: Command = {
  name: 'info',
  summary: 'Show the gateway version and its compute drivers',
  usage: '[flags]',
  flags: [],
  examples: ['shellgate gateway info', 'shellgate gateway info -o json'],
  minPositionals: 0,
  maxPositionals: 0,
  async run(context) {
    const info = await context.connect().call('getGatewayInfo', {}, { signal: context.signal });
    const format = context.config.output;
    if (format !== 'table') {
      context.stdout.write(await formatStructured(format, GetGatewayInfoResponse.toJSON(info)));
      return ExitCode.Ok;
    }
    const summary = renderTable(
      ['GATEWAY', 'STATUS', 'VERSION'],
      [[context.config.gateway.display, serviceStatusName(info.status), info.gatewayVersion || '<unknown>']],
    );
    const drivers = info.computeDrivers.map((driver) => [
      driver.name,
      driver.capabilities?.driverName ?? '',
      driver.capabilities?.driverVersion ?? '',
    ]);
    context.stdout.write(
      drivers.length === 0 ? `${summary}\nNo compute drivers.\n` : `${summary}\n${renderTable(['DRIVER', 'IMPLEMENTATION', 'VERSION'], drivers)}`,
    );
    return ExitCode.Ok;
  },
};

/** `shellgate gateway health`. */
export const gatewayHealthCommand: Command = {
  name: 'health',
  summary: 'Check the gateway: exit 0 only when it is Healthy',
  usage: '[flags]',
  description: 'Prints the status and version. Exits 0 when Healthy, 1 when Degraded or Unhealthy, 5 when unreachable.',
  flags: [],
  examples: ['shellgate gateway health', 'until shellgate gateway health >/dev/null 2>&1; do sleep 1; done'],
  minPositionals: 0,
  maxPositionals: 0,
  async run(context) {
    const health = await context.connect().call('health', {}, { signal: context.signal });
    const format = context.config.output;
    context.stdout.write(
      format === 'table'
        ? renderTable(['STATUS', 'VERSION'], [[serviceStatusName(health.status), health.version || '<unknown>']])
        : await formatStructured(format, HealthResponse.toJSON(health)),
    );
    return health.status === ServiceStatus.SERVICE_STATUS_HEALTHY ? ExitCode.Ok : ExitCode.Failed;
  },
};
