import { Agent, request } from 'node:http';
import type { IncomingMessage } from 'node:http';

import type { DockerHost } from './docker-host.js';

/**
 * An error answer from the engine: its HTTP status and JSON body, in the shape
 * `toDriverError` and `engineMessageOf` read (`statusCode`, `json.message`).
 */
export class DockerHttpError extends Error {
  readonly statusCode: number;
  readonly json: { readonly message?: string } | undefined;

  constructor(method: string, path: string, statusCode: number, body: string) {
    const json = parseErrorBody(body);
    super(`${method} ${path}: (HTTP code ${statusCode}) ${json?.message ?? body.trim()}`);
    this.name = 'DockerHttpError';
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

export type QueryValue = string | number | boolean | undefined;

export interface DockerRequest {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Path without the API version, e.g. `/containers/json`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly signal: AbortSignal;
}

/** Label filters as the engine's `filters` query parameter. */
export function toFiltersQuery(filters: Readonly<Record<string, readonly string[]>>): string {
  return JSON.stringify(filters);
}

function toPathWithQuery(path: string, query: Readonly<Record<string, QueryValue>> | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text === '' ? path : `${path}?${text}`;
}

async function readBody(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The Docker Engine API over plain `node:http` (a Unix socket or tcp): JSON in, JSON out,
 * and the two streaming answers (pull progress, events). Unversioned paths, so the engine
 * speaks its own API version, as the docker CLI negotiates. Built on node:http rather than
 * dockerode or docker-modem: those load ssh2 and BuildKit's gRPC session code at start,
 * ~13 MB of RSS the driver never uses (issue 4: ≤ 80 MB with 100 sandboxes).
 */
export class DockerHttpClient {
  readonly #host: DockerHost;
  /** Keep-alive: a create is four calls in a row, and a new Unix-socket connection each is waste. */
  readonly #agent = new Agent({ keepAlive: true });

  constructor(host: DockerHost) {
    this.#host = host;
  }

  /** Sends a request and answers the body as text. */
  async text(call: DockerRequest): Promise<string> {
    return readBody(await this.#send(call));
  }

  /** Sends a request and answers the parsed JSON body (undefined for an empty body). */
  async json(call: DockerRequest): Promise<unknown> {
    const body = await this.text(call);
    return body.trim() === '' ? undefined : JSON.parse(body);
  }

  /** Sends a request and answers the open response once the engine accepted it (2xx). */
  stream(call: DockerRequest): Promise<IncomingMessage> {
    return this.#send(call);
  }

  close(): void {
    this.#agent.destroy();
  }

  #send(call: DockerRequest): Promise<IncomingMessage> {
    const path = toPathWithQuery(call.path, call.query);
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    const target = this.#host.kind === 'unix' ? { socketPath: this.#host.socketPath } : { host: this.#host.hostname, port: this.#host.port };
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          ...target,
          agent: this.#agent,
          method: call.method,
          path,
          signal: call.signal,
          headers: payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status < 400) return resolve(response);
          readBody(response).then((body) => reject(new DockerHttpError(call.method, call.path, status, body)), reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }
}
