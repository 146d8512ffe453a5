import type { DriverClient } from '@shellgate/driver-sdk';
import { DriverProtocolError } from './errors.js';
import type { DriverSpec } from './driver-selection.js';

type Capabilities = DriverClient['capabilities'];

/**
 * Rejects an answer that cannot come from a compute driver of this protocol (an empty
 * driver_name means another or older contract), saying what to upgrade.
 */
export function checkCapabilities(spec: DriverSpec, capabilities: Capabilities): void {
  if (capabilities.driverName.trim() !== '') return;
  const upgrade =
    spec.packageName !== undefined
      ? `upgrade ${spec.packageName} to the release matching @shellgate/gateway (pnpm add ${spec.packageName}@latest or npm install -g ${spec.packageName}@latest)`
      : 'upgrade the driver to one that implements openshell.compute.v1.ComputeDriver and fills GetCapabilitiesResponse.driver_name, or check that the socket/command points at a compute driver';
  throw new DriverProtocolError(
    spec.name,
    `${spec.origin}: driver ${JSON.stringify(spec.name)} answered GetCapabilities without driver_name (driver_version ${JSON.stringify(capabilities.driverVersion)}); it speaks another or older compute protocol`,
    { hint: upgrade, details: { driverVersion: capabilities.driverVersion } },
  );
}
