import type { CheckResult, ConformanceReport } from './run-conformance.js';

/** `ok   name  (12 ms)`, `FAIL name: reason` or `skip name: why`. */
export function formatCheckResult(result: CheckResult): string {
  switch (result.status) {
    case 'pass':
      return `ok   ${result.name}  (${result.durationMs} ms)`;
    case 'fail':
      return `FAIL ${result.name}: ${result.reason ?? 'failed'}`;
    case 'skip':
      return `skip ${result.name}: ${result.reason ?? 'not claimed'}`;
  }
}

/** The last line: `N passed, N failed` plus `, N skipped` when any were. */
export function formatSummary(report: ConformanceReport): string {
  const skipped = report.skipped > 0 ? `, ${report.skipped} skipped` : '';
  return `${report.passed} passed, ${report.failed} failed${skipped}`;
}
