import * as assert from 'node:assert/strict';
import { CriteriaError, parseCriteria, parseExpression } from '../../simulator/criteria';
import { tokenize } from '../../../src/zoho/criteriaTokens';

const COLUMNS = ['Name', 'Status', 'Quantity', 'Email', 'Customer_Name.first_name', 'Notes'];
const ROWS: string[][] = [
  ['Ana', 'Open', '5', 'ana@example.com', 'Ana', ''],
  ['Bob', 'Shipped', '12', 'bob@example.org', 'Bob', 'say "hi"'],
  ['Zoë', 'Open', '2', 'zoe.example.com', 'Zoë', 'x'],
  ['Li', 'Cancelled', '', 'li@example.com', 'Li', 'a\\b'],
  ['Amélie', 'Delivered', '20', 'amelie@example.net', 'Amélie', ''],
];

/** Names of the rows the criteria keep. */
function filter(criteria: string): string[] {
  const predicate = parseCriteria(criteria, COLUMNS);
  return ROWS.filter((row) => predicate(row)).map((row) => row[0]);
}

function failure(criteria: string): CriteriaError {
  try {
    parseCriteria(criteria, COLUMNS);
  } catch (error) {
    assert.ok(error instanceof CriteriaError, String(error));
    return error;
  }
  assert.fail(`"${criteria}" was accepted`);
}

describe('simulator: criteria tokenizer', () => {
  it('splits operators, names with sub-fields, numbers and escaped strings, with positions', () => {
    const tokens = tokenize('Customer_Name.first_name=="A\\"b"&&(Qty>=-1.5||x!=null)');
    assert.deepEqual(
      tokens.map((t) => [t.kind, t.text, t.at]),
      [
        ['name', 'Customer_Name.first_name', 0],
        ['op', '==', 24],
        ['string', 'A"b', 26],
        ['and', '&&', 32],
        ['(', '(', 34],
        ['name', 'Qty', 35],
        ['op', '>=', 38],
        ['-', '-', 40],
        ['number', '1.5', 41],
        ['or', '||', 44],
        ['name', 'x', 46],
        ['op', '!=', 47],
        ['null', 'null', 49],
        [')', ')', 53],
        ['end', '', 54],
      ],
    );
  });

  it('names the position of an unterminated string, a bad escape, a stray character', () => {
    assert.throws(() => tokenize('a == "open'), /position 6: this string has no closing double quote/);
    assert.throws(() => tokenize('a == "x\\q"'), /position 8: unknown escape "\\q"/);
    assert.throws(() => tokenize('a = 1'), /position 3: unexpected "=": did you mean "=="\?/);
    assert.throws(() => tokenize('a == 1 & b == 2'), /position 8: .*"&&"/);
    assert.throws(() => tokenize("a == 'x'"), /position 6: strings go in double quotes/);
    assert.throws(() => tokenize('a == 1 # b'), /position 8: unexpected character "#"/);
    assert.throws(() => tokenize('a == 12ab'), /position 6: "12a" is neither a number nor a field name/);
  });
});

describe('simulator: criteria parser and evaluator', () => {
  it('== and != on strings and numbers', () => {
    assert.deepEqual(filter('Status == "Open"'), ['Ana', 'Zoë']);
    assert.deepEqual(filter('Status != "Open"'), ['Bob', 'Li', 'Amélie']);
    assert.deepEqual(filter('Quantity == 5'), ['Ana']);
    assert.deepEqual(filter('Quantity == 5.0'), ['Ana']);
    // An empty cell is not a number: it matches only !=.
    assert.deepEqual(filter('Quantity != 5'), ['Bob', 'Zoë', 'Li', 'Amélie']);
  });

  it('<, <=, >, >= compare numbers as numbers (12 > 5), and negative numbers parse', () => {
    assert.deepEqual(filter('Quantity > 5'), ['Bob', 'Amélie']);
    assert.deepEqual(filter('Quantity >= 5'), ['Ana', 'Bob', 'Amélie']);
    assert.deepEqual(filter('Quantity < 5'), ['Zoë']);
    assert.deepEqual(filter('Quantity <= 5'), ['Ana', 'Zoë']);
    assert.deepEqual(filter('Quantity > -1'), ['Ana', 'Bob', 'Zoë', 'Amélie']);
  });

  it('< and > on strings compare text', () => {
    assert.deepEqual(filter('Name < "B"'), ['Ana', 'Amélie']);
    assert.deepEqual(filter('Name >= "Li"'), ['Zoë', 'Li']);
  });

  it('null is the empty cell', () => {
    assert.deepEqual(filter('Quantity == null'), ['Li']);
    assert.deepEqual(filter('Notes != null'), ['Bob', 'Zoë', 'Li']);
  });

  it('double-quoted strings with \\" and \\\\ escapes', () => {
    assert.deepEqual(filter('Notes == "say \\"hi\\""'), ['Bob']);
    assert.deepEqual(filter('Notes == "a\\\\b"'), ['Li']);
    assert.deepEqual(filter('Status == "Open && Shipped"'), []);
  });

  it('contains, startsWith and endsWith on text, case-sensitive', () => {
    assert.deepEqual(filter('Email.contains("@")'), ['Ana', 'Bob', 'Li', 'Amélie']);
    assert.deepEqual(filter('Name.startsWith("A")'), ['Ana', 'Amélie']);
    assert.deepEqual(filter('Email.endsWith(".org")'), ['Bob']);
    assert.deepEqual(filter('Name.startsWith("a")'), []);
    assert.deepEqual(filter('Customer_Name.first_name.endsWith("ë")'), ['Zoë']);
    assert.deepEqual(filter('Email.contains ( "example.net" )'), ['Amélie']);
  });

  it('sub-field names (Customer_Name.first_name) resolve to their column', () => {
    assert.deepEqual(filter('Customer_Name.first_name == "Bob"'), ['Bob']);
  });

  it('spaces around operators are optional', () => {
    assert.deepEqual(filter('Status=="Open"&&Quantity>=5'), ['Ana']);
    assert.deepEqual(filter('(Quantity>10)||(Name=="Li")'), ['Bob', 'Li', 'Amélie']);
    assert.deepEqual(filter('  Status  ==  "Open"  '), ['Ana', 'Zoë']);
  });

  it('&& binds tighter than ||, and parentheses override it', () => {
    // Without parentheses: Status == "Shipped" || (Status == "Open" && Quantity >= 5)
    assert.deepEqual(filter('Status == "Shipped" || Status == "Open" && Quantity >= 5'), ['Ana', 'Bob']);
    assert.deepEqual(filter('(Status == "Shipped" || Status == "Open") && Quantity >= 5'), ['Ana', 'Bob']);
    assert.deepEqual(filter('Quantity >= 5 && Status == "Open" || Status == "Shipped"'), ['Ana', 'Bob']);
    assert.deepEqual(filter('Quantity < 10 && (Status == "Open" || Status == "Shipped")'), ['Ana', 'Zoë']);
    assert.deepEqual(filter('Status == "Open" || Quantity < 10 && Status == "Shipped"'), ['Ana', 'Zoë']);
    assert.deepEqual(filter('((Status == "Open"))'), ['Ana', 'Zoë']);
  });

  it('builds a left-associative tree', () => {
    assert.deepEqual(parseExpression('a == 1 || b == 2 || c == 3'), {
      kind: 'or',
      left: {
        kind: 'or',
        left: { kind: 'compare', field: 'a', at: 0, op: '==', value: 1 },
        right: { kind: 'compare', field: 'b', at: 10, op: '==', value: 2 },
      },
      right: { kind: 'compare', field: 'c', at: 20, op: '==', value: 3 },
    });
  });

  it('names the position and the problem of what it cannot parse', () => {
    const cases: [string, number, RegExp][] = [
      ['', 1, /the criteria is empty/],
      ['Status ==', 10, /expected a value \(a number, a "string" or null\) after "==", found the end/],
      ['Status "Open"', 8, /expected an operator .* after "Status", found the string "Open"/],
      ['(Status == "Open"', 18, /expected "\)" to close the "\(" at position 1, found the end/],
      ['Status == "Open")', 17, /this "\)" has no matching "\("/],
      ['Status == "Open" Quantity == 1', 18, /expected && or \|\| before "Quantity"/],
      ['Status == "Open" &&', 20, /expected a field name or "\(", found the end/],
      ['&& Status == "Open"', 1, /expected a field name or "\(", found "&&"/],
      ['Quantity > null', 10, /null can only be compared with == or !=/],
      ['Email.matches("x")', 7, /unknown method "matches"/],
      ['contains("x")', 1, /needs a field before it/],
      ['Email.contains(5)', 16, /contains\(\) takes one "string", found "5"/],
      ['Email.contains("a", "b")', 19, /expected "\)" after the argument of contains, found ","/],
      ['Quantity == -"x"', 14, /expected a number after "-"/],
      ['Nope == 1', 1, /no field named "Nope" in this report/],
      ['Status == "Open" && Nope.contains("x")', 21, /no field named "Nope"/],
      ['"Open" == Status', 1, /expected a field name or "\(", found the string "Open"/],
    ];
    for (const [criteria, position, problem] of cases) {
      const error = failure(criteria);
      assert.equal(error.position + 1, position, criteria);
      assert.match(error.message, new RegExp(`^Invalid criteria at position ${position}: `), criteria);
      assert.match(error.message, problem, criteria);
    }
  });
});
