/**
 * An error answer from the engine (HTTP 4xx/5xx): its status and JSON body, in the shape
 * `toEngineDriverError` and `engineMessageOf` read (`statusCode`, `json.message`). Docker and
 * both of Podman's API trees answer errors as `{"message": "..."}`.
 */
export class EngineHttpError extends Error {
  readonly statusCode: number;
  readonly json: { readonly message?: string } | undefined;

  constructor(method: string, path: string, statusCode: number, body: string) {
    const json = parseErrorBody(body);
    super(`${method} ${path}: (HTTP code ${statusCode}) ${json?.message ?? body.trim()}`);
    this.name = 'EngineHttpError';
    this.statusCode = statusCode;
    this.json = json;
  }
}

function parseErrorBody(body: string): { message?: string } | undefined {
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null) return undefined;
    const message = (value as Record<string, unknown>)['message'];
    return typeof message === 'string' ? { message } : {};
  } catch {
    return undefined;
  }
}

const NOT_FOUND = 404;

function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('statusCode' in error)) return undefined;
  return typeof error.statusCode === 'number' ? error.statusCode : undefined;
}

/** Runs `call`, answering `fallback` when the engine says 404 (the object does not exist). */
export async function unlessNotFound<T, F>(call: () => Promise<T>, fallback: F): Promise<T | F> {
  try {
    return await call();
  } catch (error) {
    if (statusCodeOf(error) === NOT_FOUND) return fallback;
    throw error;
  }
}
