import type { ConformanceContext } from './conformance-context.js';

/** One contract check: a name for `--only` and the report, and what it proves. */
export interface ConformanceCheck {
  readonly name: string;
  readonly description: string;
  /** Why the check does not apply to this driver (an unclaimed behaviour), or undefined to run it. */
  skipReason?(ctx: ConformanceContext): string | undefined;
  /** Throws (any Error) with a one-line reason when the driver breaks the contract. */
  run(ctx: ConformanceContext): Promise<void>;
}
