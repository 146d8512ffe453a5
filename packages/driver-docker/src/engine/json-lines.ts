/**
 * Reads a stream of JSON documents as Docker sends them for pulls and events: one object per
 * line (older engines may pack several objects into one chunk or split one across chunks).
 * Lines that are not JSON are skipped: the engine never sends them on purpose.
 */
export async function* readJsonLines(stream: AsyncIterable<unknown>): AsyncGenerator<Record<string, unknown>> {
  let buffered = '';
  for await (const chunk of stream) {
    buffered += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const parsed = parseJsonObject(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (parsed !== undefined) yield parsed;
      newline = buffered.indexOf('\n');
    }
  }
  const last = parseJsonObject(buffered);
  if (last !== undefined) yield last;
}

function parseJsonObject(line: string): Record<string, unknown> | undefined {
  const trimmed = line.trim();
  if (trimmed === '') return undefined;
  try {
    const value: unknown = JSON.parse(trimmed);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
