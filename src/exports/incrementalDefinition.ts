// The checks of a definition's "mode" and "fullRunEvery" (.vscode/zoho-exports.json, parsed by
// ./definitions.ts): an incremental definition keeps one snapshot (./incremental.ts), so its
// fields must hold ID and Modified_Time, and its destination must not change with the date.
import type { Node } from 'jsonc-parser';

interface At {
  offset: number;
  length: number;
}

export /** "mode" and "fullRunEvery"; an incremental definition's fields and destination must suit a snapshot. */
function checkMode(
  value: Record<string, unknown>,
  field: (key: string) => Node | undefined,
  problem: (at: Node | undefined, message: string) => void,
  warning: (at: Node | At, message: string) => void,
): 'full' | 'incremental' | undefined {
  const mode = value.mode;
  if (mode !== undefined && mode !== 'full' && mode !== 'incremental') {
    problem(
      field('mode'),
      '"mode" is "full" (the whole report each run) or "incremental" (only what changed).',
    );
    return undefined;
  }
  const every = value.fullRunEvery;
  if (every !== undefined) {
    if (typeof every !== 'number' || !Number.isInteger(every) || every < 1 || every > 366) {
      problem(field('fullRunEvery'), '"fullRunEvery" is a number of days from 1 to 366 (default 7).');
    } else if (mode !== 'incremental') {
      warning(field('fullRunEvery') as Node, '"fullRunEvery" is used only with "mode": "incremental".');
    }
  }
  if (mode === 'incremental') {
    const fields = value.fields;
    if (Array.isArray(fields) && fields.length > 0) {
      const missing = ['ID', 'Modified_Time'].filter((name) => !fields.includes(name));
      if (missing.length > 0) {
        problem(
          field('fields'),
          `An incremental export matches records by ID and finds changes by Modified_Time: add ${missing.map((name) => `"${name}"`).join(' and ')} to "fields".`,
        );
      }
    }
    const destination = value.destination;
    if (typeof destination === 'string' && /\{(date|time)\}/.test(destination)) {
      problem(
        field('destination'),
        'An incremental export keeps one snapshot file up to date: remove {date} and {time} from "destination" (e.g. exports/{report}.csv).',
      );
    }
  }
  return mode;
}
