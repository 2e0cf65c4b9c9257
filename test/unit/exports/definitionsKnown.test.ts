// The mistakes people make in .vscode/zoho-exports.json that the JSON shape alone lets through:
// criteria Zoho would refuse, a field the report does not have, an account that is not signed in.
// Each is reported once, where it is (the schema validates nothing: issue 17.5).
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDefinitions, type KnownNames } from '../../../src/exports/definitions';

const KNOWN: KnownNames = {
  accounts: [{ label: 'demo (127.0.0.1:8780)', owner: 'demo', dataCentre: 'custom' }],
  columns: (app, report) =>
    app === 'zylker-store' && report === 'All_Orders'
      ? ['ID', 'Order_No', 'Status', 'Total', 'Customer.name']
      : undefined,
};

function file(definition: Record<string, unknown>): string {
  return JSON.stringify(
    { exports: [{ name: 'Orders', app: 'zylker-store', report: 'All_Orders', ...definition }] },
    null,
    2,
  );
}

function located(text: string, known: KnownNames = KNOWN): Array<[string, string, string]> {
  return parseDefinitions(text, known).problems.map((p) => [
    text.slice(p.offset, p.offset + p.length),
    p.severity ?? 'error',
    p.message,
  ]);
}

describe('export definitions against what is known', () => {
  it('checks criteria with the grammar Zoho reads, pointing into the string', () => {
    const text = file({ criteria: 'Status = "Open" &&' });
    const problems = located(text);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    const [[at, severity, message]] = problems;
    assert.equal(severity, 'error');
    assert.equal(at, '=');
    assert.match(message, /unexpected "=": did you mean "=="\?/);
    // The fixed one still has the dangling &&: found at the end of the string.
    const dangling = located(file({ criteria: 'Status == "Open" &&' }));
    assert.equal(dangling.length, 1);
    assert.match(dangling[0][2], /expected a field name or "\(", found the end of the criteria/);
    assert.equal(parseDefinitions(file({ criteria: 'Status == "Open" &&' }), KNOWN).definitions.length, 0);
    assert.deepEqual(
      located(file({ criteria: '(Status == "Open" || Total > 100) && Customer.name.contains("a")' })),
      [],
    );
  });

  it('warns once at a field the report did not have in its last export, in fields and in criteria', () => {
    const text = file({ fields: ['ID', 'Totl'], criteria: 'Satus == "Open" && Added_Time != null' });
    const problems = located(text);
    assert.deepEqual(
      problems.map(([at, severity]) => [at, severity]),
      [
        ['"Totl"', 'warning'],
        ['Satus', 'warning'],
      ],
    );
    assert.match(
      problems[0][2],
      /"Totl" is not a column of All_Orders \(its last result had ID, Order_No, Status/,
    );
    assert.equal(parseDefinitions(text, KNOWN).definitions.length, 1, 'a warning leaves it runnable');
    assert.deepEqual(
      located(file({ report: 'All_Customers', fields: ['Anything'] })),
      [],
      'nothing known: no guess',
    );
  });

  it('warns at an account that is not signed in, naming the ones that are', () => {
    const problems = located(file({ account: 'Zylker (EU)' }));
    assert.deepEqual(
      problems.map(([at, severity]) => [at, severity]),
      [['"Zylker (EU)"', 'warning']],
    );
    assert.match(
      problems[0][2],
      /No signed-in account is "Zylker \(EU\)" \(signed in: "demo \(127\.0\.0\.1:8780\)"\)/,
    );
    assert.deepEqual(located(file({ account: { owner: 'demo' } })), []);
    assert.deepEqual(located(file({ account: 'demo (127.0.0.1:8780)' })), []);
    assert.match(located(file({ account: { owner: 'zylker', dataCentre: 'EU' } }))[0][2], /of zylker \(EU\)/);
  });

  it('leaves checking to the extension: the JSON schema validates nothing, so nothing is reported twice', () => {
    const schema = readFileSync(path.join(__dirname, '../../../schemas/zoho-exports.schema.json'), 'utf8');
    const validating = [
      'required',
      'additionalProperties',
      'pattern',
      'minimum',
      'maximum',
      'type',
      'enum',
      'oneOf',
      'minLength',
      'multipleOf',
    ];
    const used = validating.filter((keyword) => schema.includes(`"${keyword}"`));
    assert.deepEqual(used, []);
  });
});
