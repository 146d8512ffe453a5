import type { Statement } from 'better-sqlite3';

import { isEmptyLabelSelector, matchesLabelSelector } from '../labels/index.js';
import type { LabelSelector } from '../labels/index.js';
import type { PageOptions } from './gateway-store.js';

/** Reads a row's labels_json column, so labels can be checked before the costly protobuf decode. */
export type LabelsJsonOf<Row> = (row: Row) => string;

/** Offset and limit as SQLite wants them: LIMIT -1 means no limit. */
export function toSqlPage(page: PageOptions): { limit: number; offset: number } {
  const limit = page.limit !== undefined && page.limit > 0 ? Math.floor(page.limit) : -1;
  const offset = page.offset !== undefined && page.offset > 0 ? Math.floor(page.offset) : 0;
  return { limit, offset };
}

function labelsMatch(labelsJson: string, selector: LabelSelector): boolean {
  return matchesLabelSelector(selector, JSON.parse(labelsJson) as Record<string, string>);
}

/**
 * Runs an ordered list query and pages it. Without a selector SQLite pages (LIMIT/OFFSET
 * bound as @limit/@offset); with one, rows stream through the selector and paging counts
 * matching rows only, stopping as soon as the page is full.
 */
export function selectPage<Row>(
  statement: Statement<[Record<string, unknown>], Row>,
  params: Record<string, unknown>,
  labelsJsonOf: LabelsJsonOf<Row>,
  selector: LabelSelector | undefined,
  page: PageOptions,
): Row[] {
  const { limit, offset } = toSqlPage(page);
  if (selector === undefined || isEmptyLabelSelector(selector)) {
    return statement.all({ ...params, limit, offset });
  }
  const rows: Row[] = [];
  let skipped = 0;
  for (const row of statement.iterate({ ...params, limit: -1, offset: 0 })) {
    if (!labelsMatch(labelsJsonOf(row), selector)) continue;
    if (skipped < offset) {
      skipped += 1;
      continue;
    }
    rows.push(row);
    if (limit > 0 && rows.length >= limit) break;
  }
  return rows;
}

/** Counts rows whose labels match; `statement` must select the labels_json column alone (pluck). */
export function countMatching(
  statement: Statement<[Record<string, unknown>], string>,
  params: Record<string, unknown>,
  selector: LabelSelector,
): number {
  let count = 0;
  for (const labelsJson of statement.iterate(params)) if (labelsMatch(labelsJson, selector)) count += 1;
  return count;
}
