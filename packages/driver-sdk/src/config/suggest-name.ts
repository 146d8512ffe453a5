/**
 * The known name closest to a misspelt one (edit distance ≤ 3), for "did you mean" hints.
 * Case and `-`/`_` are ignored, so `--log_level` finds `--log-level` and `Listen` finds `listen`.
 */
export function suggestName(unknown: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  const wanted = normalize(unknown);
  for (const candidate of known) {
    const distance = editDistance(wanted, normalize(candidate));
    if (distance <= 3 && (best === undefined || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function normalize(name: string): string {
  return name.toLowerCase().replaceAll('-', '_');
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
