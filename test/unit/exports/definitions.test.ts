// Export definitions: what a valid file yields, and a located, readable problem for each mistake.
import * as assert from 'node:assert/strict';
import { definitionQuery, parseDefinitions } from '../../../src/exports/definitions';
import { expandDestination, destinationProblem } from '../../../src/exports/destination';

function problemsOf(text: string): string[] {
  return parseDefinitions(text).problems.map(
    (p) => `${text.slice(p.offset, p.offset + p.length).slice(0, 30)} => ${p.message}`,
  );
}

describe('export definitions', () => {
  it('reads valid definitions (comments and trailing commas allowed) with their place in the file', () => {
    const text = `{
  // weekly backups
  "exports": [
    { "name": "Orders", "app": "zylker-store", "report": "All_Orders", "batchSize": 200000,
      "criteria": "Status == \\"Open\\"", "fields": ["ID", "Total"], "destination": "backups/{report}_{date}.csv" },
    { "name": "Customers", "account": { "owner": "demo", "dataCentre": "custom" }, "app": "zylker-store", "report": "All_Customers", },
  ],
}`;
    const parsed = parseDefinitions(text);
    assert.deepEqual(parsed.problems, []);
    assert.deepEqual(
      parsed.definitions.map((d) => d.definition.name),
      ['Orders', 'Customers'],
    );
    const [orders, customers] = parsed.definitions;
    assert.ok(text.slice(orders.span.offset).startsWith('{ "name": "Orders"'));
    assert.deepEqual(definitionQuery(orders.definition), {
      criteria: 'Status == "Open"',
      fields: ['ID', 'Total'],
      max_records: 200000,
    });
    assert.deepEqual(customers.definition.account, { owner: 'demo', dataCentre: 'custom' });
    assert.deepEqual(
      definitionQuery(customers.definition),
      { max_records: 200000 },
      'the largest batch by default',
    );
  });

  it('points at each mistake and never throws, keeping the valid definitions', () => {
    const text = `{ "exports": [
  { "name": "A", "app": "zylker-store", "report": "All_Orders" },
  { "name": "A", "app": "zylker-store", "report": "All_Customers" },
  { "name": "B", "app": "zylker store", "report": "All_Orders", "batchSize": 5 },
  { "name": "C", "report": "All_Orders", "colour": "red", "destination": "../outside.csv" },
  { "name": "D", "app": "x", "report": "y", "account": { "owner": "demo", "dataCentre": "Mars" } },
  42
] }`;
    const parsed = parseDefinitions(text);
    assert.deepEqual(
      parsed.definitions.map((d) => d.definition.name),
      ['A'],
    );
    const problems = problemsOf(text);
    assert.ok(
      problems.some((p) => p.startsWith('"A" => Another definition is already named "A"')),
      problems.join('\n'),
    );
    assert.ok(problems.some((p) => p.startsWith('"zylker store" => "zylker store" is not a link name')));
    assert.ok(problems.some((p) => p.startsWith('5 => Records per batch must be a multiple of 1000')));
    assert.ok(problems.some((p) => p.includes('=> This definition needs "app"')));
    assert.ok(problems.some((p) => p.startsWith('"colour" => Unknown property "colour"')));
    assert.ok(
      problems.some((p) => p.startsWith('"../outside.csv" => "../outside.csv" leaves the workspace')),
    );
    assert.ok(problems.some((p) => p.includes('"dataCentre" must be one of US')));
    assert.ok(problems.some((p) => p.startsWith('42 => Each export definition is an object')));
  });

  it('reports broken JSON and a wrong shape instead of failing', () => {
    assert.match(problemsOf('{ "exports": [ { "name": ')[0], /Not valid JSON here/);
    assert.match(problemsOf('[]')[0], /an object with an "exports" list/);
    assert.deepEqual(parseDefinitions('').definitions, []);
  });
});

describe('export destinations', () => {
  it('fills in the placeholders with safe names', () => {
    const now = new Date(2026, 0, 31, 14, 5, 1);
    const ref = { owner: 'demo', app: 'zylker-store', report: 'All Orders/x' };
    assert.equal(
      expandDestination('exports/{report}_{date}.csv', ref, now),
      'exports/All_Orders_x_2026-01-31.csv',
    );
    assert.equal(expandDestination('{app}/{time}.csv', ref, now), 'zylker-store/140501.csv');
  });

  it('refuses paths that leave the workspace, unknown placeholders and folders', () => {
    assert.equal(destinationProblem('exports/{report}_{date}.csv'), undefined);
    assert.match(destinationProblem('/etc/passwd') ?? '', /leaves the workspace/);
    assert.match(destinationProblem('a/../../b.csv') ?? '', /leaves the workspace/);
    assert.match(destinationProblem('exports/{month}.csv') ?? '', /\{month\} is not a placeholder/);
    assert.match(destinationProblem('exports/') ?? '', /ending in a file name/);
  });
});
