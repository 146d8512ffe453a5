import { ErrorCode, ShellgateError, quoteValue } from '@shellgate/driver-sdk';

/** A label selector that does not follow the Kubernetes grammar; names the part and column. */
export class InvalidLabelSelectorError extends ShellgateError {
  readonly selector: string;
  /** 1-based column of the offending part within `selector`. */
  readonly column: number;

  constructor(selector: string, column: number, reason: string) {
    super(ErrorCode.InvalidArgument, `invalid label selector ${quoteValue(selector)}: ${reason} at column ${column}`, {
      hint: 'use Kubernetes selector syntax, e.g. "app=web,tier!=db,env in (dev,qa),!legacy"',
      details: { selector, column },
    });
    this.name = 'InvalidLabelSelectorError';
    this.selector = selector;
    this.column = column;
  }
}
