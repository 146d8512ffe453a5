/**
 * `@shellgate/container-engine/testing`: the in-memory engine the container drivers' unit
 * tests run against (STYLE.md rule 18). A driver's own fake extends `FakeContainerEngine`
 * with what only its engine has, and implements the driver's engine interface.
 *
 * ```ts
 * class FakePodmanEngine extends FakeContainerEngine<PodmanCreateSpec> implements PodmanEngine { ... }
 * ```
 */
export { FakeContainerEngine, engineHttpError, matchesLabelFilters } from './fake-container-engine.js';
export type { FakeContainer, FakeEngineOperation } from './fake-container-engine.js';
