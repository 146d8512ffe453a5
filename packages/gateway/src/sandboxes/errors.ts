import { ErrorCode, ShellgateError, quoteValue } from '@shellgate/driver-sdk';

/** No sandbox with that name in that workspace. */
export class SandboxNotFoundInWorkspaceError extends ShellgateError {
  constructor(workspace: string, name: string) {
    super(ErrorCode.NotFound, `sandbox ${quoteValue(name)} not found in workspace ${quoteValue(workspace)}`, {
      hint: 'list sandboxes with `shellgate sandbox list`, or pass --workspace',
      details: { workspace, name },
    });
    this.name = 'SandboxNotFoundInWorkspaceError';
  }
}

/** A stop or start from a phase that does not allow it (e.g. start while Stopping, stop while Deleting). */
export class InvalidPhaseTransitionError extends ShellgateError {
  constructor(action: 'stop' | 'start', name: string, phase: string, allowedFrom: readonly string[]) {
    const phases = allowedFrom.length < 2 ? allowedFrom.join('') : `${allowedFrom.slice(0, -1).join(', ')} or ${allowedFrom.at(-1)!}`;
    super(ErrorCode.FailedPrecondition, `cannot ${action} sandbox ${quoteValue(name)}: it is ${phase}; ${action} is allowed from ${phases}`, {
      hint: action === 'stop' ? 'a Deleting sandbox is going away; an Unknown one waits for its driver to report it' : 'stop the sandbox first, or wait until it is Stopped',
      details: { name, phase, action },
    });
    this.name = 'InvalidPhaseTransitionError';
  }
}

/** The driver that owns a sandbox is not configured on this gateway any more. */
export class DriverNotConfiguredError extends ShellgateError {
  constructor(driver: string, sandboxName: string) {
    super(ErrorCode.FailedPrecondition, `sandbox ${quoteValue(sandboxName)} belongs to driver ${quoteValue(driver)}, which this gateway does not run`, {
      hint: `add [drivers.${driver}] back to gateway.toml and restart the gateway`,
      details: { driver, sandboxName },
    });
    this.name = 'DriverNotConfiguredError';
  }
}
