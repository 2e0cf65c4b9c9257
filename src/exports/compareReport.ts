// The readable summary of a compare (./compareCsv.ts) as Markdown: the counts, which columns
// changed and how often, and the first records added, changed (changed cells marked) and removed.
// No editor API: the extension shows it read-only, the command line could print it.
import type { CompareSummary } from './compareCsv';

const count = (n: number): string => new Intl.NumberFormat('en-US').format(n);

/** What the summary says about each side: a title for the run, its file, and problems met. */
export interface CompareSide {
  /** `Dec 5 14:02 (full, 250,000 records)` */
  title: string;
  file: string;
  /** Said above the counts, e.g. that the file changed since its run (checksum differs). */
  warning?: string;
}

/** Text for a Markdown table cell: one line (of at most `max` characters), nothing read as Markdown or HTML. */
export function cell(value: string, max = 60): string {
  const flat = value.replace(/\r\n|\r|\n/g, ' ⏎ ');
  const short = flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  return short.replace(/([\\`*_{}[\]()#+\-.!|<>~])/g, '\\$1') || ' ';
}

function table(head: string[], rows: string[][]): string[] {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ];
}

/** Columns shown for added and removed records: the ID first, then the next few. */
const SHOWN_COLUMNS = 8;

function recordsTable(summary: CompareSummary, records: string[][]): string[] {
  const idAt = summary.columns.indexOf('ID');
  const shown = [idAt, ...summary.columns.map((_, i) => i).filter((i) => i !== idAt)].slice(0, SHOWN_COLUMNS);
  const more =
    summary.columns.length > shown.length ? [`… ${summary.columns.length - shown.length} more`] : [];
  return table(
    [...shown.map((i) => cell(summary.columns[i])), ...more],
    records.map((values) => [...shown.map((i) => cell(values[i])), ...more.map(() => ' ')]),
  );
}

function section(title: string, total: number, shown: number): string {
  return `## ${title} (${total === shown ? count(total) : `first ${count(shown)} of ${count(total)}`})`;
}

export function compareMarkdown(
  subject: string,
  previous: CompareSide,
  current: CompareSide,
  summary: CompareSummary,
  differencesFile?: string,
): string {
  const lines: string[] = [`# ${cell(subject)}`, ''];
  lines.push(
    ...table(
      [' ', 'Previous run', 'This run'],
      [
        ['Run', cell(previous.title), cell(current.title)],
        ['Records', count(summary.previousRecords), count(summary.currentRecords)],
        ['File', cell(previous.file, Infinity), cell(current.file, Infinity)],
      ],
    ),
    '',
  );
  for (const warning of [previous.warning, current.warning]) {
    if (warning) {
      lines.push(`> **Warning:** ${cell(warning, Infinity)}`, '');
    }
  }
  lines.push(
    `**+${count(summary.added)} added · ~${count(summary.changed)} changed · −${count(summary.removed)} removed** · ${count(summary.unchanged)} unchanged`,
    '',
  );
  if (summary.columnsAdded.length > 0 || summary.columnsRemoved.length > 0) {
    const parts = [
      summary.columnsAdded.length > 0 ? `new columns: ${summary.columnsAdded.map(cell).join(', ')}` : '',
      summary.columnsRemoved.length > 0 ? `columns gone: ${summary.columnsRemoved.map(cell).join(', ')}` : '',
    ].filter(Boolean);
    lines.push(
      `The columns differ (${parts.join('; ')}); records are compared on the columns both have.`,
      '',
    );
  }
  if (summary.duplicateIds > 0) {
    lines.push(
      `${count(summary.duplicateIds)} records repeat an ID seen before in their file; the last one of each was compared.`,
      '',
    );
  }
  if (differencesFile) {
    lines.push(`Every difference: ${cell(differencesFile, Infinity)}`, '');
  }
  const byColumn = summary.columns
    .map((name, i) => [name, summary.changesByColumn[i]] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (byColumn.length > 0) {
    lines.push(
      '## Columns changed',
      '',
      ...table(
        ['Column', 'Records changed'],
        byColumn.map(([name, n]) => [cell(name), count(n)]),
      ),
      '',
    );
  }
  const { added, changed, removed } = summary.samples;
  if (added.length > 0) {
    lines.push(section('Added', summary.added, added.length), '', ...recordsTable(summary, added), '');
  }
  if (changed.length > 0) {
    // The ID and every column that changed in one of the records shown; changed cells read `before → **after**`.
    const columns = [...new Set(changed.flatMap((record) => record.changed))].sort((a, b) => a - b);
    lines.push(
      section('Changed', summary.changed, changed.length),
      '',
      ...table(
        ['ID', ...columns.map((c) => cell(summary.columns[c]))],
        changed.map((record) => [
          cell(record.id),
          ...columns.map((c) =>
            record.changed.includes(c)
              ? `${cell(record.before[c])} → **${cell(record.after[c])}**`
              : cell(record.after[c]),
          ),
        ]),
      ),
      '',
    );
  }
  if (removed.length > 0) {
    lines.push(
      section('Removed', summary.removed, removed.length),
      '',
      ...recordsTable(summary, removed),
      '',
    );
  }
  if (summary.added + summary.changed + summary.removed === 0) {
    lines.push('The two runs hold the same records.', '');
  }
  return lines.join('\n');
}
