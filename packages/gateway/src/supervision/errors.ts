import { ErrorCode, ShellgateError, quoteValue } from '@shellgate/driver-sdk';

/** Neither a sandbox with that id nor one with that name in the workspace. */
export class SandboxReferenceNotFoundError extends ShellgateError {
  constructor(reference: string, workspace: string) {
    super(ErrorCode.NotFound, `sandbox ${quoteValue(reference)} not found (no sandbox has that id, and workspace ${quoteValue(workspace)} has none of that name)`, {
      hint: 'list sandboxes with `shellgate sandbox list`, or pass the workspace',
      details: { reference, workspace },
    });
    this.name = 'SandboxReferenceNotFoundError';
  }
}

/** Exec needs a Ready sandbox whose supervisor is connected. */
export class SandboxNotExecutableError extends ShellgateError {
  constructor(name: string, phase: string, problem: string, hint: string) {
    super(ErrorCode.FailedPrecondition, `cannot exec in sandbox ${quoteValue(name)}: it is ${phase}; ${problem}`, {
      hint,
      details: { name, phase },
    });
    this.name = 'SandboxNotExecutableError';
  }
}

/** The supervisor connection carrying an exec went away before the command's exit arrived. */
export class ExecSessionLostError extends ShellgateError {
  constructor(sandboxName: string, cause?: unknown) {
    super(ErrorCode.Unavailable, `supervisor session lost during exec in sandbox ${quoteValue(sandboxName)}`, {
      hint: 'the command may still have run; check the sandbox with `shellgate sandbox get` and retry once it is Ready',
      cause,
    });
    this.name = 'ExecSessionLostError';
  }
}

/**
 * A superseded supervisor's hello (`resume_only_if_free`) while another session of its
 * sandbox is live: refused without superseding it, so two supervisors holding the token
 * never take the session from each other; it is accepted once that session has ended.
 */
export class SessionInUseError extends ShellgateError {
  constructor(sandboxId: string) {
    super(ErrorCode.FailedPrecondition, `another supervisor session of sandbox ${quoteValue(sandboxId)} is live`, {
      hint: 'the superseded supervisor retries with backoff and resumes once that session ends',
      details: { sandboxId },
    });
    this.name = 'SessionInUseError';
  }
}
