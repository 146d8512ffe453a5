import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

import type { EngineHost } from '../host/engine-host.js';
import { EngineHttpError } from './engine-http-error.js';

export type QueryValue = string | number | boolean | undefined;

export type EngineHttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

export interface EngineRequest {
  readonly method: EngineHttpMethod;
  /** Path after the client's prefix, e.g. `/containers/json`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  readonly signal: AbortSignal;
}

/** A whole answer (status below 400), headers included. */
export interface EngineResponse {
  readonly statusCode: number;
  /** Header names in lower case, as node:http gives them. */
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface EngineHttpClientOptions {
  /**
   * Put before every request path: `/v4.0.0/libpod` for Podman's libpod API, `/v1.41` to pin
   * a Docker API version. Default empty: unversioned paths, so the engine speaks its own
   * version, as the docker CLI negotiates.
   */
  readonly pathPrefix?: string;
}

/** What `/_ping` tells about the engine, from its headers. */
export interface EnginePing {
  /** `Api-Version`: the Docker-compatible API version (Docker and Podman both send it). */
  readonly apiVersion: string | undefined;
  /** `Libpod-Api-Version`: sent by Podman only, so it also tells the two engines apart. */
  readonly libpodApiVersion: string | undefined;
}

/**
 * Names us in the engine's request log. Also the marker scripts/check-dependency-walls.mjs
 * looks for: the gateway and CLI bundles must never contain it.
 */
const USER_AGENT = 'shellgate-container-engine';

/** Filters (`label`, `type`, ...) as the engine's `filters` query parameter. */
export function toFiltersQuery(filters: Readonly<Record<string, readonly string[]>>): string {
  return JSON.stringify(filters);
}

/** An image or network name as a path segment: slashes, colons and @ are part of such names. */
export function encodePathName(name: string): string {
  return encodeURIComponent(name).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/gi, '@');
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

function headerOf(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A container engine's HTTP API over plain `node:http` (a Unix socket or tcp): JSON in, JSON
 * out, streaming answers (pull progress, events), every call abortable. Docker and Podman
 * (its Docker-compatible tree and libpod) both speak it. Built on node:http rather than
 * dockerode or docker-modem: those load ssh2 and BuildKit's gRPC session code at start,
 * ~13 MB of RSS a driver never uses (issue 4: ≤ 80 MB with 100 sandboxes).
 */
export class EngineHttpClient {
  readonly #host: EngineHost;
  readonly #pathPrefix: string;
  /** Keep-alive: a create is several calls in a row, and a new Unix-socket connection each is waste. */
  #agent = new Agent({ keepAlive: true });

  constructor(host: EngineHost, options: EngineHttpClientOptions = {}) {
    this.#host = host;
    this.#pathPrefix = options.pathPrefix ?? '';
  }

  /**
   * The same engine and connection pool under another path prefix: Podman serves its
   * Docker-compatible API and libpod on one socket, so one driver can use both.
   * Closing either client closes the pool.
   */
  withPathPrefix(pathPrefix: string): EngineHttpClient {
    const client = new EngineHttpClient(this.#host, { pathPrefix });
    client.#agent = this.#agent;
    return client;
  }

  /** Sends a request and answers status, headers and the body as text. */
  async send(call: EngineRequest): Promise<EngineResponse> {
    const response = await this.#open(call);
    const body = await readBody(response);
    return { statusCode: response.statusCode ?? 0, headers: response.headers, body };
  }

  /** Sends a request and answers the body as text. */
  async text(call: EngineRequest): Promise<string> {
    return (await this.send(call)).body;
  }

  /** Sends a request and answers the parsed JSON body (undefined for an empty body). */
  async json(call: EngineRequest): Promise<unknown> {
    const body = await this.text(call);
    return body.trim() === '' ? undefined : JSON.parse(body);
  }

  /** Sends a request and answers the open response once the engine accepted it (below 400). */
  stream(call: EngineRequest): Promise<IncomingMessage> {
    return this.#open(call);
  }

  /** `GET /_ping` under the prefix: the engine answers, and says which API versions it speaks. */
  async ping(signal: AbortSignal): Promise<EnginePing> {
    const { headers } = await this.send({ method: 'GET', path: '/_ping', signal });
    return { apiVersion: headerOf(headers, 'api-version'), libpodApiVersion: headerOf(headers, 'libpod-api-version') };
  }

  close(): void {
    this.#agent.destroy();
  }

  #open(call: EngineRequest): Promise<IncomingMessage> {
    const fullPath = `${this.#pathPrefix}${call.path}`;
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    const target = this.#host.kind === 'unix' ? { socketPath: this.#host.socketPath } : { host: this.#host.hostname, port: this.#host.port };
    const bodyHeaders = payload === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) };
    return new Promise((resolve, reject) => {
      const outgoing = request(
        {
          ...target,
          agent: this.#agent,
          method: call.method,
          path: toPathWithQuery(fullPath, call.query),
          signal: call.signal,
          headers: { 'User-Agent': USER_AGENT, ...bodyHeaders },
        },
        (response) => {
          const status = response.statusCode ?? 0;
          if (status < 400) return resolve(response);
          readBody(response).then((body) => reject(new EngineHttpError(call.method, fullPath, status, body)), reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }
}
