/**
 * How one engine is named in messages and hints. Host discovery and error mapping are
 * written once for Docker and Podman; each driver passes its own naming so its operators
 * read their engine's words (driver-docker's values keep the messages it always had).
 */
export interface EngineNaming {
  /** Lower-case id, for log fields: `docker`, `podman`. */
  readonly id: string;
  /** Product name in messages: `Docker`, `Podman`. */
  readonly displayName: string;
  /** The config key that names the endpoint, in parse errors: `docker_host`, `podman_socket`. */
  readonly hostConfigKey: string;
  /** Every way to set the endpoint, for the unreachable hint: `docker_host / DOCKER_HOST`. */
  readonly hostSettings: string;
  /** An endpoint shown as an example in parse errors: `unix:///var/run/docker.sock`. */
  readonly exampleEndpoint: string;
  /** Port of a `tcp://` endpoint that names none (Docker: 2375). */
  readonly defaultTcpPort: number;
  /** The service that must run, for the unreachable hint: `dockerd`. */
  readonly daemonName: string;
  /** Hint when no endpoint is configured and no socket is found: what to start or set. */
  readonly hostNotFoundHint: string;
  /** Hint on EACCES: who may use the socket. */
  readonly permissionHint: string;
}
