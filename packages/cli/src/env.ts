/** Environment variables the CLI reads (only config.ts reads them). */
export const EnvVar = {
  Gateway: 'SHELLGATE_GATEWAY',
  Workspace: 'SHELLGATE_WORKSPACE',
  TokenFile: 'SHELLGATE_TOKEN_FILE',
} as const;
export type EnvVar = (typeof EnvVar)[keyof typeof EnvVar];

/** One line per variable, for `--help` and the README. */
export const ENV_VAR_DESCRIPTIONS: ReadonlyArray<readonly [EnvVar, string]> = [
  [EnvVar.Gateway, 'gateway address, as --gateway'],
  [EnvVar.Workspace, 'workspace, as --workspace'],
  [EnvVar.TokenFile, 'bearer token file, as --token-file'],
];
