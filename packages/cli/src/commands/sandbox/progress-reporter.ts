import type { PlatformEvent, Sandbox } from '@shellgate/api';
import type { Clock, TextSink } from '../../cli-io.js';
import { formatTimestamp } from '../../output/format-age.js';
import { describeCondition, explainingCondition, phaseName, phaseOf } from '../../output/sandbox-view.js';

/**
 * Prints a sandbox's life as lines: `2025-01-01T10:00:00Z  Provisioning  ContainerCreated  pulling image`.
 * Phase lines appear only when the phase or its explaining condition changes; platform events
 * always. `create --wait` sends these to stderr, `sandbox watch` to stdout.
 */
export class ProgressReporter {
  readonly #sink: TextSink;
  readonly #clock: Clock;
  #lastPhase = '';
  #lastExplanation = '';

  constructor(sink: TextSink, clock: Clock) {
    this.#sink = sink;
    this.#clock = clock;
  }

  /** Reports a sandbox snapshot if its phase or explaining condition changed. */
  sandbox(sandbox: Sandbox): void {
    const phase = phaseName(phaseOf(sandbox));
    const condition = explainingCondition(sandbox);
    const explanation = describeCondition(condition);
    if (phase === this.#lastPhase && explanation === this.#lastExplanation) return;
    this.#lastPhase = phase;
    this.#lastExplanation = explanation;
    this.#line(this.#clock.now(), phase, condition?.reason ?? '', condition?.message ?? '');
  }

  /** Reports a platform event (image pull, container start, ...) under the current phase. */
  event(event: PlatformEvent): void {
    const when = event.timestampMs > 0 ? event.timestampMs : this.#clock.now();
    this.#line(when, this.#lastPhase || 'Unknown', event.reason || event.type, event.message);
  }

  warning(message: string): void {
    this.#line(this.#clock.now(), 'Warning', '', message);
  }

  deleted(): void {
    this.#line(this.#clock.now(), 'Deleted', '', '');
  }

  #line(ms: number, phase: string, reason: string, message: string): void {
    this.#sink.write(`${[formatTimestamp(ms), phase.padEnd(12), reason, message].filter((part) => part !== '').join('  ').trimEnd()}\n`);
  }
}
