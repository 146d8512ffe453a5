/**
 * A parsed Kubernetes label selector: every requirement must hold (comma means AND).
 * The empty selector (no requirements) matches every object.
 */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
}

/** The operators of the Kubernetes selector grammar; `==` parses to `=`. */
export const SelectorOperator = {
  Equals: '=',
  NotEquals: '!=',
  In: 'in',
  NotIn: 'notin',
  Exists: 'exists',
  DoesNotExist: '!',
} as const;
export type SelectorOperator = (typeof SelectorOperator)[keyof typeof SelectorOperator];

/** One clause: `key op values`; `values` is empty for Exists/DoesNotExist, one entry for =/!=. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: SelectorOperator;
  readonly values: readonly string[];
}

/** The selector that matches everything (what an empty `label_selector` string means). */
export const EVERYTHING_SELECTOR: LabelSelector = Object.freeze({ requirements: Object.freeze([]) });

/** True when the selector has no requirements, so callers can skip label work entirely. */
export function isEmptyLabelSelector(selector: LabelSelector): boolean {
  return selector.requirements.length === 0;
}

function matchesRequirement(requirement: LabelRequirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  const value = has ? labels[requirement.key] : undefined;
  // Negative operators match objects that lack the key, as in Kubernetes
  // (apimachinery labels.Requirement.Matches), so `tier!=db` also selects unlabelled objects.
  switch (requirement.operator) {
    case SelectorOperator.Equals:
    case SelectorOperator.In:
      return value !== undefined && requirement.values.includes(value);
    case SelectorOperator.NotEquals:
    case SelectorOperator.NotIn:
      return value === undefined || !requirement.values.includes(value);
    case SelectorOperator.Exists:
      return has;
    case SelectorOperator.DoesNotExist:
      return !has;
  }
}

/** Whether `labels` satisfies every requirement of `selector`. */
export function matchesLabelSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  return selector.requirements.every((requirement) => matchesRequirement(requirement, labels));
}

function formatRequirement(requirement: LabelRequirement): string {
  switch (requirement.operator) {
    case SelectorOperator.Exists:
      return requirement.key;
    case SelectorOperator.DoesNotExist:
      return `!${requirement.key}`;
    case SelectorOperator.Equals:
    case SelectorOperator.NotEquals:
      return `${requirement.key}${requirement.operator}${requirement.values[0] ?? ''}`;
    case SelectorOperator.In:
    case SelectorOperator.NotIn:
      return `${requirement.key} ${requirement.operator} (${requirement.values.join(',')})`;
  }
}

/** The canonical text of a selector; `parseLabelSelector(formatLabelSelector(s))` gives `s` back. */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector.requirements.map(formatRequirement).join(',');
}
