/**
 * @shellgate/container-engine — what the Docker and Podman drivers share: a client for an
 * engine's HTTP API over its Unix socket, JSON-lines streams, engine socket discovery, engine
 * error mapping, and decoders for the payloads the Docker-compatible API and libpod share.
 * Engine-specific calls (Docker's create body, libpod's spec generator) stay in each driver.
 *
 * ```ts
 * import { EngineHttpClient, detectEngineHost, toEngineDriverError } from '@shellgate/container-engine';
 * ```
 */
export type { EngineNaming } from './engine-naming.js';
export { EngineHostNotFoundError, engineMessageOf, toEngineDriverError } from './errors.js';
export type { EngineCallContext } from './errors.js';

export { parseEngineHost } from './host/engine-host.js';
export type { EngineHost } from './host/engine-host.js';
export { detectEngineHost, envEndpointStrategy, unixSocketStrategy } from './host/detect-engine-host.js';
export type { DetectEngineHostOptions, EngineHostStrategy } from './host/detect-engine-host.js';

export { EngineHttpClient, encodePathName, toFiltersQuery } from './http/engine-http-client.js';
export type {
  EngineHttpClientOptions,
  EngineHttpMethod,
  EnginePing,
  EngineRequest,
  EngineResponse,
  QueryValue,
} from './http/engine-http-client.js';
export { EngineHttpError, unlessNotFound } from './http/engine-http-error.js';
export { readJsonLines } from './http/read-json-lines.js';

export { asRecord, readString, readStringMap, readStrings } from './payload/json-record.js';
export type { JsonRecord } from './payload/json-record.js';
export { ContainerState, decodeContainerInspect } from './payload/container-info.js';
export type { ContainerInfo } from './payload/container-info.js';
export { decodeContainerEvent, readContainerEvents } from './payload/container-event.js';
export type { ContainerEvent } from './payload/container-event.js';
export { decodeImageInspect } from './payload/image-info.js';
export type { ImageInfo } from './payload/image-info.js';
export { decodeLibpodNetworkInspect, decodeNetworkInspect } from './payload/network-info.js';
export type { LibpodNetworkInfo, NetworkInfo } from './payload/network-info.js';
