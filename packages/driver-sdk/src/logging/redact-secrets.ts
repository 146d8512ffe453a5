import { SECRET_FIELD_NAMES } from '../gen/secret-fields.js';

/** What a masked value is replaced with. */
export const REDACTED = '[REDACTED]';

// Keys are compared with case, `_` and `-` removed, so `sandbox_token`, `sandboxToken` and
// `SANDBOX-TOKEN` are one key.
function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '');
}

const EXACT_SECRET_KEYS: ReadonlySet<string> = new Set([
  ...SECRET_FIELD_NAMES.map(normalizeKey),
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
]);

// Suffixes catch the secrets users put in sandbox environment maps and driver configs
// (`GITHUB_TOKEN`, `OPENAI_API_KEY`, `db_password`). `..._token_file` and `max_tokens` do not
// match: a path to a secret and a count are not secrets, and hiding them hurts debugging.
const SECRET_KEY_SUFFIXES: readonly string[] = ['token', 'secret', 'password', 'passwd', 'apikey', 'privatekey'];

// `Bearer <credential>` anywhere in a string, e.g. a header echoed in an error message.
const BEARER_PATTERN = /\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;

// Deeper structures are cut rather than walked: log fields are never legitimately this deep,
// and a bound keeps a hostile or cyclic value from costing unbounded time.
const MAX_DEPTH = 32;

/** True when a field with this name holds a secret and must be masked in logs and echoes. */
export function isSecretKey(key: string): boolean {
  const normalized = normalizeKey(key);
  if (EXACT_SECRET_KEYS.has(normalized)) return true;
  return SECRET_KEY_SUFFIXES.some((suffix) => normalized.endsWith(suffix));
}

/** Masks every `Bearer xxx` credential inside a piece of text. */
export function redactBearerTokens(text: string): string {
  return text.replace(BEARER_PATTERN, `$1 ${REDACTED}`);
}

/**
 * A deep copy of `value` in which every secret-named key (see {@link isSecretKey}) holds
 * {@link REDACTED} and every `Bearer xxx` string is masked. Errors become plain
 * `{ name, message, stack }` objects so they survive JSON. Safe on cycles. Use it before
 * echoing a spec or request in a log line or an error message.
 */
export function redactSecrets<T>(value: T): T {
  return redactValue(value, 0, new WeakMap()) as T;
}

function redactValue(value: unknown, depth: number, seen: WeakMap<object, unknown>): unknown {
  if (typeof value === 'string') return redactBearerTokens(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  const known = seen.get(value);
  if (known !== undefined) return known;
  if (Array.isArray(value)) {
    const copy: unknown[] = [];
    seen.set(value, copy);
    for (const item of value) copy.push(redactValue(item, depth + 1, seen));
    return copy;
  }
  const source = value instanceof Error ? errorToRecord(value) : (value as Record<string, unknown>);
  const copy: Record<string, unknown> = {};
  seen.set(value, copy);
  for (const [key, item] of Object.entries(source)) {
    copy[key] = isSecretKey(key) && isMaskable(item) ? REDACTED : redactValue(item, depth + 1, seen);
  }
  return copy;
}

// An empty or absent secret is shown as is: "the token was empty" is a useful fact and
// reveals nothing.
function isMaskable(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function errorToRecord(error: Error): Record<string, unknown> {
  const record: Record<string, unknown> = { name: error.name, message: error.message };
  for (const [key, item] of Object.entries(error)) record[key] = item;
  if (error.stack !== undefined) record['stack'] = error.stack;
  if (error.cause !== undefined) record['cause'] = error.cause;
  return record;
}

/**
 * Every secret value inside `value` (strings under secret-named keys, at any depth). Used to
 * scrub those exact strings from free text, such as an error message a driver built by
 * interpolating a request.
 */
export function collectSecretValues(value: unknown): string[] {
  const found = new Set<string>();
  collectInto(value, 0, found, new WeakSet());
  return [...found];
}

function collectInto(value: unknown, depth: number, found: Set<string>, seen: WeakSet<object>): void {
  if (typeof value !== 'object' || value === null || depth >= MAX_DEPTH || seen.has(value)) return;
  seen.add(value);
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string' && item !== '' && isSecretKey(key)) found.add(item);
    else collectInto(item, depth + 1, found, seen);
  }
}

/** `text` with each of `secretValues` and every `Bearer xxx` credential replaced by {@link REDACTED}. */
export function redactSecretText(text: string, secretValues: readonly string[]): string {
  let result = text;
  // Longest first, so a secret that contains a shorter one is masked whole.
  const longestFirst = [...secretValues].sort((a, b) => b.length - a.length);
  for (const secret of longestFirst) result = result.split(secret).join(REDACTED);
  return redactBearerTokens(result);
}
