export { ErrorCode, ShellgateError, isShellgateError } from './errors.js';
