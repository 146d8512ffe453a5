import { readFileSync } from 'node:fs';

/** The CLI's version, read from its package.json so it cannot drift from the published one. */
export function readCliVersion(): string {
  // dist/version.js and src/version.ts both sit one level below package.json.
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  const parsed = JSON.parse(text) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}
