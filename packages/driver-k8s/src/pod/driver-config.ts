import { formatDriverConfigField, parseMemoryQuantity, quoteValue, throwIfProblems } from '@shellgate/driver-sdk';
import type { ValidationProblem } from '@shellgate/driver-sdk';

import { DRIVER_NAME } from '../version.js';

/** A pod toleration, in Kubernetes' own field names. */
export interface K8sToleration {
  readonly key?: string;
  readonly operator?: 'Exists' | 'Equal';
  readonly value?: string;
  readonly effect?: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  readonly tolerationSeconds?: number;
}

/**
 * `spec.template.driver_config` as this driver reads it: the value under the "k8s" key. Keys
 * are the Pod fields they set, spelled as in a Pod manifest, so operators copy them as they are.
 */
export interface K8sDriverOptions {
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly tolerations: readonly K8sToleration[];
  /** e.g. `gvisor` or `kata` for stronger isolation; empty: the cluster's default runtime. */
  readonly runtimeClassName: string;
  /** The pod's service account (its token is never mounted); empty: the namespace's default. */
  readonly serviceAccountName: string;
  /** Extra pod labels; the `shellgate.dev/` ones are the driver's own. */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Overrides the driver's `storage_class` for this sandbox's /sandbox claim. */
  readonly storageClassName: string;
  /** Overrides the driver's `storage_size`. */
  readonly storageSize: string;
}

/** Problems name the path the user wrote (`…driver_config.k8s.nodeSelector`), not the unwrapped value this driver receives. */
export const DRIVER_CONFIG_FIELD = formatDriverConfigField(DRIVER_NAME);
const KNOWN_KEYS: readonly string[] = ['nodeSelector', 'tolerations', 'runtimeClassName', 'serviceAccountName', 'labels', 'annotations', 'storageClassName', 'storageSize'];
const OUR_LABEL_PREFIX = 'shellgate.dev/';
const TOLERATION_KEYS: ReadonlySet<string> = new Set(['key', 'operator', 'value', 'effect', 'tolerationSeconds']);
const TOLERATION_OPERATORS: readonly string[] = ['Exists', 'Equal'];
const TOLERATION_EFFECTS: readonly string[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
/** A DNS-1123 subdomain: names of runtime classes, service accounts and storage classes. */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export const EMPTY_K8S_DRIVER_OPTIONS: K8sDriverOptions = Object.freeze({
  nodeSelector: {},
  tolerations: [],
  runtimeClassName: '',
  serviceAccountName: '',
  labels: {},
  annotations: {},
  storageClassName: '',
  storageSize: '',
});

function parseStringMap(raw: unknown, field: string, problems: ValidationProblem[], options: { readonly isLabels?: boolean } = {}): Record<string, string> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ field, reason: 'must be a map of strings' });
    return {};
  }
  const map: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'string') problems.push({ field: `${field}.${key}`, reason: 'must be a string' });
    else if (options.isLabels === true && key.startsWith(OUR_LABEL_PREFIX)) problems.push({ field: `${field}.${key}`, reason: `keys under ${OUR_LABEL_PREFIX} are the driver's own` });
    else map[key] = value;
  }
  return map;
}

function parseName(raw: unknown, field: string, problems: ValidationProblem[]): string {
  if (typeof raw === 'string' && raw.length <= 253 && DNS_SUBDOMAIN.test(raw)) return raw;
  problems.push({ field, reason: `${quoteValue(raw)} is not a Kubernetes object name (lowercase DNS subdomain)` });
  return '';
}

function parseToleration(raw: unknown, field: string, problems: ValidationProblem[]): K8sToleration | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push({ field, reason: 'must be a toleration object (key, operator, value, effect, tolerationSeconds)' });
    return undefined;
  }
  const entries = raw as Record<string, unknown>;
  const before = problems.length;
  for (const key of Object.keys(entries)) {
    if (!TOLERATION_KEYS.has(key)) problems.push({ field: `${field}.${key}`, reason: `is not a toleration field (known: ${[...TOLERATION_KEYS].join(', ')})` });
  }
  for (const key of ['key', 'value'] as const) {
    if (entries[key] !== undefined && typeof entries[key] !== 'string') problems.push({ field: `${field}.${key}`, reason: 'must be a string' });
  }
  if (entries['operator'] !== undefined && !TOLERATION_OPERATORS.includes(entries['operator'] as string)) problems.push({ field: `${field}.operator`, reason: `must be one of ${TOLERATION_OPERATORS.join(', ')}` });
  if (entries['effect'] !== undefined && !TOLERATION_EFFECTS.includes(entries['effect'] as string)) problems.push({ field: `${field}.effect`, reason: `must be one of ${TOLERATION_EFFECTS.join(', ')}` });
  if (entries['tolerationSeconds'] !== undefined && !Number.isInteger(entries['tolerationSeconds'])) problems.push({ field: `${field}.tolerationSeconds`, reason: 'must be an integer' });
  return problems.length === before ? entries : undefined;
}

function parseTolerations(raw: unknown, field: string, problems: ValidationProblem[]): K8sToleration[] {
  if (!Array.isArray(raw)) {
    problems.push({ field, reason: 'must be a list of tolerations' });
    return [];
  }
  return raw.map((entry, index) => parseToleration(entry, `${field}[${index}]`, problems)).filter((entry): entry is K8sToleration => entry !== undefined);
}

function parseStorageSize(raw: unknown, field: string, problems: ValidationProblem[]): string {
  try {
    if (typeof raw === 'string' && parseMemoryQuantity(raw) > 0) return raw;
  } catch {
    // reported below
  }
  problems.push({ field, reason: `${quoteValue(raw)} is not a storage size (a Kubernetes quantity such as "5Gi")` });
  return '';
}

/**
 * Reads and checks `driver_config` (the value under "k8s"). Any other key is an error naming
 * it (`spec.template.driver_config.k8s.<key>`).
 * @throws InvalidArgumentError listing every problem by field.
 */
export function parseK8sDriverOptions(raw: Readonly<Record<string, unknown>> | undefined): K8sDriverOptions {
  if (raw === undefined) return EMPTY_K8S_DRIVER_OPTIONS;
  const problems: ValidationProblem[] = [];
  const field = (key: string): string => `${DRIVER_CONFIG_FIELD}.${key}`;
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.includes(key)) problems.push({ field: field(key), reason: `is not a k8s driver option (known: ${KNOWN_KEYS.join(', ')})` });
  }
  const has = (key: string): boolean => raw[key] !== undefined;
  const options: K8sDriverOptions = {
    nodeSelector: has('nodeSelector') ? parseStringMap(raw['nodeSelector'], field('nodeSelector'), problems) : {},
    tolerations: has('tolerations') ? parseTolerations(raw['tolerations'], field('tolerations'), problems) : [],
    runtimeClassName: has('runtimeClassName') ? parseName(raw['runtimeClassName'], field('runtimeClassName'), problems) : '',
    serviceAccountName: has('serviceAccountName') ? parseName(raw['serviceAccountName'], field('serviceAccountName'), problems) : '',
    labels: has('labels') ? parseStringMap(raw['labels'], field('labels'), problems, { isLabels: true }) : {},
    annotations: has('annotations') ? parseStringMap(raw['annotations'], field('annotations'), problems, { isLabels: true }) : {},
    storageClassName: has('storageClassName') ? parseName(raw['storageClassName'], field('storageClassName'), problems) : '',
    storageSize: has('storageSize') ? parseStorageSize(raw['storageSize'], field('storageSize'), problems) : '',
  };
  throwIfProblems('k8s driver_config', problems, 'see the driver-k8s README for driver_config');
  return options;
}
