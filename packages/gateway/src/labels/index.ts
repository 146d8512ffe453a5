/** Kubernetes label selectors: parse operator text once, then match label maps. */
export { InvalidLabelSelectorError } from './errors.js';
export {
  EVERYTHING_SELECTOR,
  SelectorOperator,
  formatLabelSelector,
  isEmptyLabelSelector,
  matchesLabelSelector,
} from './label-selector.js';
export type { LabelRequirement, LabelSelector } from './label-selector.js';
export { parseLabelSelector } from './parse-label-selector.js';
