import { InvalidArgumentError } from '../errors.js';

// Kubernetes quantity grammar (apimachinery resource.Quantity): a non-negative decimal
// number, then either a binary suffix (Ki..Ei), a decimal suffix (n, u, m, k, M..E) or a
// decimal exponent (e3, E-2). "E" alone is exa; "E9" is an exponent. Upstream accepts a
// leading "+" and we do too; a leading "-" gets its own message.
const QUANTITY_PATTERN = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([+-]?\d+))?$/;

// Beyond these the value is either absurd or cannot be a safe integer; rejecting early also
// keeps BigInt arithmetic on hostile input bounded.
const MAX_QUANTITY_LENGTH = 64;
const MAX_EXPONENT_MAGNITUDE = 40;

const DECIMAL_SUFFIX_POWERS: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const BINARY_SUFFIX_POWERS: Readonly<Record<string, bigint>> = {
  Ki: 10n,
  Mi: 20n,
  Gi: 30n,
  Ti: 40n,
  Pi: 50n,
  Ei: 60n,
};

/** An exact non-negative rational: numerator / denominator. */
interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

interface QuantityKind {
  noun: string;
  examples: string;
}

const CPU_KIND: QuantityKind = { noun: 'CPU quantity', examples: '"500m", "2", "0.5", "1.5", "1e3"' };
const MEMORY_KIND: QuantityKind = {
  noun: 'memory quantity',
  examples: '"536870912", "512Mi", "4Gi", "512M", "1.5Gi", "1e9"',
};

function invalidQuantity(kind: QuantityKind, value: string, reason: string, field?: string): InvalidArgumentError {
  const subject = field === undefined ? kind.noun : `${field}: ${kind.noun}`;
  return new InvalidArgumentError(`${subject} ${JSON.stringify(value)} is invalid: ${reason}`, {
    hint: `use a Kubernetes quantity such as ${kind.examples}`,
    details: field === undefined ? { value } : { field, value },
  });
}

function toFraction(value: string, kind: QuantityKind, field: string | undefined): Fraction {
  if (value.length === 0) throw invalidQuantity(kind, value, 'it is empty', field);
  if (value.length > MAX_QUANTITY_LENGTH) {
    throw invalidQuantity(kind, value, `it is longer than ${MAX_QUANTITY_LENGTH} characters`, field);
  }
  if (value.startsWith('-')) throw invalidQuantity(kind, value, 'it must not be negative', field);
  const match = QUANTITY_PATTERN.exec(value);
  if (match === null) {
    throw invalidQuantity(kind, value, 'expected a number with an optional suffix or exponent', field);
  }
  const [, number = '', suffix, exponentText] = match;
  const [whole = '', fraction = ''] = number.split('.');
  let numerator = BigInt(`${whole}${fraction}` || '0');
  let denominator = 10n ** BigInt(fraction.length);

  let decimalPower = 0;
  if (suffix !== undefined) {
    const binaryPower = BINARY_SUFFIX_POWERS[suffix];
    if (binaryPower !== undefined) numerator *= 2n ** binaryPower;
    else decimalPower = DECIMAL_SUFFIX_POWERS[suffix] ?? 0;
  } else if (exponentText !== undefined) {
    decimalPower = Number(exponentText);
    if (Math.abs(decimalPower) > MAX_EXPONENT_MAGNITUDE) {
      throw invalidQuantity(kind, value, `the exponent is outside ±${MAX_EXPONENT_MAGNITUDE}`, field);
    }
  }
  if (decimalPower >= 0) numerator *= 10n ** BigInt(decimalPower);
  else denominator *= 10n ** BigInt(-decimalPower);
  return { numerator, denominator };
}

// Kubernetes rounds quantities up to the unit asked for (Quantity.Value / MilliValue),
// so "0.0001" CPU is 1m rather than 0, which would mean "no limit" to most engines.
function toSafeInteger(
  fraction: Fraction,
  unitsPerWhole: bigint,
  unit: string,
  kind: QuantityKind,
  value: string,
  field: string | undefined,
): number {
  const scaled = fraction.numerator * unitsPerWhole;
  const roundedUp = (scaled + fraction.denominator - 1n) / fraction.denominator;
  if (roundedUp > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw invalidQuantity(kind, value, `it exceeds ${Number.MAX_SAFE_INTEGER} ${unit}`, field);
  }
  return Number(roundedUp);
}

/**
 * Parses a Kubernetes CPU quantity ("500m", "2", "0.5", "1e3") into millicores, rounded up.
 * `field` (e.g. `spec.template.resources.cpu_limit`) is named in the error.
 * @throws InvalidArgumentError on empty, negative or malformed input, or overflow.
 */
export function parseCpuQuantity(value: string, field?: string): number {
  const fraction = toFraction(value, CPU_KIND, field);
  return toSafeInteger(fraction, 1000n, 'millicores', CPU_KIND, value, field);
}

/**
 * Parses a Kubernetes memory quantity ("536870912", "512M", "4Gi", "1.5Gi", "1e9") into
 * bytes, rounded up. `field` is named in the error.
 * @throws InvalidArgumentError on empty, negative or malformed input, or overflow.
 */
export function parseMemoryQuantity(value: string, field?: string): number {
  const fraction = toFraction(value, MEMORY_KIND, field);
  return toSafeInteger(fraction, 1n, 'bytes', MEMORY_KIND, value, field);
}

const BINARY_FORMAT_SUFFIXES: readonly (readonly [string, number])[] = [
  ['Ei', 2 ** 60],
  ['Pi', 2 ** 50],
  ['Ti', 2 ** 40],
  ['Gi', 2 ** 30],
  ['Mi', 2 ** 20],
  ['Ki', 2 ** 10],
];

const DECIMAL_FORMAT_SUFFIXES: readonly (readonly [string, number])[] = [
  ['E', 1e18],
  ['P', 1e15],
  ['T', 1e12],
  ['G', 1e9],
  ['M', 1e6],
  ['k', 1e3],
];

function assertNonNegativeSafeInteger(value: number, unit: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidArgumentError(`${String(value)} ${unit} is not a non-negative safe integer`);
  }
}

/**
 * Formats bytes as the shortest exact Kubernetes quantity among the largest binary suffix
 * that divides it ("4Gi"), the largest decimal one ("512M") and plain bytes.
 * Round-trips through {@link parseMemoryQuantity}.
 */
export function formatMemoryQuantity(bytes: number): string {
  assertNonNegativeSafeInteger(bytes, 'bytes');
  let shortest = String(bytes);
  if (bytes === 0) return shortest;
  // Binary first so it wins ties: "1Gi" reads better than an equally long decimal form.
  for (const table of [BINARY_FORMAT_SUFFIXES, DECIMAL_FORMAT_SUFFIXES]) {
    const match = table.find(([, size]) => bytes % size === 0);
    if (match === undefined) continue;
    const candidate = `${bytes / match[1]}${match[0]}`;
    const isBinary = table === BINARY_FORMAT_SUFFIXES;
    if (candidate.length < shortest.length || (isBinary && candidate.length === shortest.length)) {
      shortest = candidate;
    }
  }
  return shortest;
}

/** Formats millicores as a Kubernetes CPU quantity: whole cores ("2") or millicores ("500m"). */
export function formatCpuQuantity(millicores: number): string {
  assertNonNegativeSafeInteger(millicores, 'millicores');
  return millicores % 1000 === 0 ? String(millicores / 1000) : `${millicores}m`;
}
