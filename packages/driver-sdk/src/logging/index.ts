export type { LogFields, Logger } from './logger.js';
export { silentLogger } from './logger.js';
export type { CreateLoggerOptions, LogFormat, LogLevel } from './create-logger.js';
export { LOG_FORMATS, LOG_LEVELS, createLogger, isLogLevel } from './create-logger.js';
export {
  REDACTED,
  collectSecretValues,
  isSecretKey,
  redactBearerTokens,
  redactSecretText,
  redactSecrets,
} from './redact-secrets.js';
