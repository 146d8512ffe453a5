import { readFileSync } from 'node:fs';

// Captured payloads stay in src/ (tsc does not copy JSON) and tests run from dist/, so the
// path climbs from dist/payload/testdata/ to the package and back down into src/.
const DOCKER_FIXTURES = new URL('../../../src/payload/testdata/docker-20.10/', import.meta.url);
const PODMAN_FIXTURES = new URL('../../../src/payload/testdata/podman-4.3/', import.meta.url);

/** A captured Docker 20.10 payload, as text (see docker-20.10/README.md). */
export function readDockerFixtureText(name: string): string {
  return readFileSync(new URL(name, DOCKER_FIXTURES), 'utf8');
}

/** A captured Docker 20.10 JSON answer, parsed. */
export function readDockerFixture(name: string): unknown {
  return JSON.parse(readDockerFixtureText(name));
}

/** A captured Podman 4.3 libpod payload, as text (see podman-4.3/README.md). */
export function readPodmanFixtureText(name: string): string {
  return readFileSync(new URL(name, PODMAN_FIXTURES), 'utf8');
}

/** A captured Podman 4.3 libpod JSON answer, parsed. */
export function readPodmanFixture(name: string): unknown {
  return JSON.parse(readPodmanFixtureText(name));
}
