import { quoteValue } from '../errors.js';
import type { ValidationProblem } from './validation-error.js';
import { throwIfProblems } from './validation-error.js';

// Kubernetes label syntax (apimachinery validation.IsQualifiedName / IsValidLabelValue), so
// labels survive being copied onto pods and containers unchanged.
const MAX_LABEL_NAME_LENGTH = 63;
const MAX_LABEL_VALUE_LENGTH = 63;
const MAX_LABEL_PREFIX_LENGTH = 253;
const LABEL_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;

function findKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash === -1 ? undefined : key.slice(0, slash);
  const name = slash === -1 ? key : key.slice(slash + 1);
  if (prefix !== undefined) {
    if (prefix.length === 0 || prefix.length > MAX_LABEL_PREFIX_LENGTH || !DNS_SUBDOMAIN_PATTERN.test(prefix)) {
      return (
        `key prefix must be a lowercase DNS subdomain of at most ${MAX_LABEL_PREFIX_LENGTH} characters, ` +
        'e.g. "example.com/"'
      );
    }
  }
  if (name.length === 0 || name.length > MAX_LABEL_NAME_LENGTH) {
    return `key name must be 1..${MAX_LABEL_NAME_LENGTH} characters`;
  }
  if (!LABEL_NAME_PATTERN.test(name)) {
    return 'key name must be letters, digits, ".", "_" or "-", starting and ending with a letter or digit';
  }
  return undefined;
}

function findValueProblem(value: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length > MAX_LABEL_VALUE_LENGTH) return `value must be at most ${MAX_LABEL_VALUE_LENGTH} characters`;
  if (!LABEL_NAME_PATTERN.test(value)) {
    return 'value must be empty or letters, digits, ".", "_" or "-", starting and ending with a letter or digit';
  }
  return undefined;
}

/** Problems with a label map; `field` is its proto path, e.g. `spec.template.labels`. */
export function findLabelProblems(labels: Readonly<Record<string, string>>, field: string): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  for (const [key, value] of Object.entries(labels)) {
    const entryField = `${field}[${quoteValue(key)}]`;
    const keyProblem = findKeyProblem(key);
    if (keyProblem !== undefined) problems.push({ field: entryField, reason: keyProblem });
    const valueProblem = findValueProblem(value);
    if (valueProblem !== undefined) {
      problems.push({ field: entryField, reason: `${valueProblem} (got ${quoteValue(value)})` });
    }
  }
  return problems;
}

/**
 * Checks labels with Kubernetes rules: key `[prefix/]name` (prefix a DNS subdomain, name
 * ≤ 63 of [A-Za-z0-9._-] starting and ending alphanumeric); value empty or the same form.
 * @throws InvalidArgumentError listing every problem by field.
 */
export function validateLabels(labels: Readonly<Record<string, string>>, field: string): void {
  throwIfProblems('labels', findLabelProblems(labels, field));
}
