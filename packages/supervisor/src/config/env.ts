/** The environment drivers set in every sandbox (ARCHITECTURE.md, "Supervisor and the sandbox environment"). */
export const Env = {
  endpoint: 'OPENSHELL_ENDPOINT',
  sandboxId: 'OPENSHELL_SANDBOX_ID',
  sandboxName: 'OPENSHELL_SANDBOX',
  tokenFile: 'OPENSHELL_SANDBOX_TOKEN_FILE',
  logLevel: 'OPENSHELL_LOG_LEVEL',
  userEnvironment: 'OPENSHELL_USER_ENVIRONMENT',
  tlsCaFile: 'OPENSHELL_TLS_CA_FILE',
  tlsCertFile: 'OPENSHELL_TLS_CERT_FILE',
  tlsKeyFile: 'OPENSHELL_TLS_KEY_FILE',
} as const;
