/**
 * Env keys a gateway sets on every driver it spawns, so the driver can tell sandboxes where
 * to call back (OPENSHELL_ENDPOINT) even when the API listens on a port chosen at start.
 * A driver run by hand reads the same keys, or takes the values from its own config.
 */
export const GATEWAY_PORT_ENV = 'SHELLGATE_GATEWAY_PORT';
/** `http` or `https`: how sandboxes must speak to the gateway. */
export const GATEWAY_SCHEME_ENV = 'SHELLGATE_GATEWAY_SCHEME';
/** The gateway's id: drivers label what they create with it, to tell two gateways' objects apart. */
export const GATEWAY_ID_ENV = 'SHELLGATE_GATEWAY_ID';
/**
 * The gateway's state directory (signing key, database): a driver refuses it as a bind mount
 * source, so no sandbox reads the key that signs every sandbox's token.
 */
export const GATEWAY_STATE_DIR_ENV = 'SHELLGATE_GATEWAY_STATE_DIR';
