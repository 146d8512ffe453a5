/** Columns are separated by three spaces, as kubectl does, so output reads the same. */
const COLUMN_GAP = '   ';

/**
 * Renders rows under upper-case headers with aligned columns. The last column is not
 * padded, so lines carry no trailing spaces.
 */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const renderRow = (row: readonly string[]): string =>
    headers
      .map((_, column) => {
        const cell = row[column] ?? '';
        return column === headers.length - 1 ? cell : cell.padEnd(widths[column] ?? 0);
      })
      .join(COLUMN_GAP)
      .trimEnd();
  return [headers, ...rows].map(renderRow).join('\n') + '\n';
}
