/**
 * Reads a stream of JSON documents as Docker and Podman send them for pulls and events: one
 * object per line (older engines may pack several objects into one chunk or split one across
 * chunks). Lines that are not JSON are skipped: the engines never send them on purpose.
 */
export async function* readJsonLines(stream: AsyncIterable<unknown>): AsyncGenerator<Record<string, unknown>> {
  // A streaming decoder: a chunk may end inside a multi-byte character (a label in UTF-8).
  const decoder = new TextDecoder('utf-8');
  let buffered = '';
  for await (const chunk of stream) {
    buffered += typeof chunk === 'string' ? chunk : decoder.decode(chunk as Uint8Array, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline !== -1) {
      const parsed = parseJsonObject(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      if (parsed !== undefined) yield parsed;
      newline = buffered.indexOf('\n');
    }
  }
  const last = parseJsonObject(buffered + decoder.decode());
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
