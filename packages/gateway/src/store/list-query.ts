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

/** True when no selector is given or it selects everything: the database can page alone. */
export function isSelectingAll(selector: LabelSelector | undefined): boolean {
  return selector === undefined || isEmptyLabelSelector(selector);
}

/**
 * The page of `rows` (in list order) whose labels match `selector`: paging counts matching
 * rows only and stops reading as soon as the page is full. Every store pages selector lists
 * this way, so they agree row for row.
 */
export function pageMatchingRows<Row>(rows: Iterable<Row>, labelsJsonOf: LabelsJsonOf<Row>, selector: LabelSelector, page: PageOptions): Row[] {
  const { limit, offset } = toSqlPage(page);
  const matching: Row[] = [];
  let skipped = 0;
  for (const row of rows) {
    if (!labelsMatch(labelsJsonOf(row), selector)) continue;
    if (skipped < offset) {
      skipped += 1;
      continue;
    }
    matching.push(row);
    if (limit > 0 && matching.length >= limit) break;
  }
  return matching;
}

/** How many of the labels_json values match `selector`. */
export function countMatchingLabels(labelsJsons: Iterable<string>, selector: LabelSelector): number {
  let count = 0;
  for (const labelsJson of labelsJsons) if (labelsMatch(labelsJson, selector)) count += 1;
  return count;
}

/**
 * Runs an ordered list query and pages it. Without a selector SQLite pages (LIMIT/OFFSET
 * bound as @limit/@offset); with one, rows stream through {@link pageMatchingRows}.
 */
export function selectPage<Row>(
  statement: Statement<[Record<string, unknown>], Row>,
  params: Record<string, unknown>,
  labelsJsonOf: LabelsJsonOf<Row>,
  selector: LabelSelector | undefined,
  page: PageOptions,
): Row[] {
  if (selector === undefined || isSelectingAll(selector)) return statement.all({ ...params, ...toSqlPage(page) });
  return pageMatchingRows(statement.iterate({ ...params, limit: -1, offset: 0 }), labelsJsonOf, selector, page);
}

/** Counts rows whose labels match; `statement` must select the labels_json column alone (pluck). */
export function countMatching(
  statement: Statement<[Record<string, unknown>], string>,
  params: Record<string, unknown>,
  selector: LabelSelector,
): number {
  return countMatchingLabels(statement.iterate(params), selector);
}
