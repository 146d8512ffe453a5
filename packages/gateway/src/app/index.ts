export { GATEWAY_VERSION, GatewayApp } from './gateway-app.js';
export { ManagedDriverDirectory, REQUIRES_SUPERVISOR_KEY } from './managed-driver-directory.js';
export { gatewayStatePaths, prepareGatewayState, readAuthToken, requireSharedIdentity } from './gateway-state.js';
export type { GatewayStatePaths } from './gateway-state.js';
