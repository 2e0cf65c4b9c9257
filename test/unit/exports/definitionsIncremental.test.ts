// "mode" and "fullRunEvery" in .vscode/zoho-exports.json: what an incremental definition asks the
// runner for, and a located problem for each way it cannot keep a snapshot.
import * as assert from 'node:assert/strict';
import { definitionDestination, definitionRequest, parseDefinitions } from '../../../src/exports/definitions';

function messages(text: string, columns?: string[]): string[] {
  return parseDefinitions(text, columns ? { columns: () => columns } : {}).problems.map(
    (p) => `${text.slice(p.offset, p.offset + p.length)} => ${p.severity ?? 'error'}: ${p.message}`,
  );
}

describe('export definitions: incremental mode', () => {
  it('reads mode and fullRunEvery; the request carries them, --full / Run full export included', () => {
    const text = `{ "exports": [
  { "name": "T", "app": "help-desk", "report": "All_Tickets", "mode": "incremental", "fullRunEvery": 3 },
  { "name": "U", "app": "help-desk", "report": "All_Tickets", "mode": "incremental", "destination": "snap/{report}.csv" },
  { "name": "F", "app": "help-desk", "report": "All_Tickets", "mode": "full" }
] }`;
    const parsed = parseDefinitions(text);
    assert.deepEqual(parsed.problems, []);
    const [t, u, f] = parsed.definitions.map((each) => each.definition);
    assert.deepEqual(definitionRequest(t).incremental, { fullRunEvery: 3 });
    assert.deepEqual(definitionRequest(u, { full: true }).incremental, { fullRunEvery: 7, full: true });
    assert.equal(definitionRequest(f).incremental, undefined);
    // One snapshot file, not one a day.
    assert.equal(definitionDestination(t, 'exports/{report}_{date}.csv'), 'exports/{report}.csv');
    assert.equal(definitionDestination(u, 'exports/{report}_{date}.csv'), 'snap/{report}.csv');
    assert.equal(definitionDestination(f, 'exports/{report}_{date}.csv'), 'exports/{report}_{date}.csv');
  });

  it('points at a mode, a fullRunEvery, fields or a destination that cannot keep a snapshot', () => {
    const text = `{ "exports": [
  { "name": "A", "app": "a", "report": "r", "mode": "delta" },
  { "name": "B", "app": "a", "report": "r", "mode": "incremental", "fullRunEvery": 0 },
  { "name": "C", "app": "a", "report": "r", "mode": "incremental", "fields": ["Name"] },
  { "name": "D", "app": "a", "report": "r", "mode": "incremental", "destination": "x/{report}_{date}.csv" },
  { "name": "E", "app": "a", "report": "r", "fullRunEvery": 7 }
] }`;
    assert.deepEqual(messages(text), [
      '"delta" => error: "mode" is "full" (the whole report each run) or "incremental" (only what changed).',
      '0 => error: "fullRunEvery" is a number of days from 1 to 366 (default 7).',
      '["Name"] => error: An incremental export matches records by ID and finds changes by Modified_Time: add "ID" and "Modified_Time" to "fields".',
      '"x/{report}_{date}.csv" => error: An incremental export keeps one snapshot file up to date: remove {date} and {time} from "destination" (e.g. exports/{report}.csv).',
      '7 => warning: "fullRunEvery" is used only with "mode": "incremental".',
    ]);
    assert.deepEqual(
      parseDefinitions(text).definitions.map((each) => each.definition.name),
      ['E'],
    );
  });

  it('says at save time when the report is known to have no Modified_Time column', () => {
    const text = `{ "exports": [ { "name": "V", "app": "field-service", "report": "All_Visits", "mode": "incremental" } ] }`;
    assert.deepEqual(messages(text, ['ID', 'Visit_Date', 'Technician']), [
      `"incremental" => warning: All_Visits's last export had no Modified_Time column, so an incremental export cannot find what changed: use "mode": "full".`,
    ]);
    assert.deepEqual(messages(text, ['ID', 'Modified_Time']), []);
  });
});
