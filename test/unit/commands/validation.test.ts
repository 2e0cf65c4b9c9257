// The input boxes of the job commands refuse what the API would refuse, and say what is expected.
import * as assert from 'assert';
import {
  parseFieldList,
  parseMaxRecords,
  validateAppInput,
  validateCriteria,
  validateFieldList,
  validateJobId,
  validateLinkName,
  validateMaxRecords,
} from '../../../src/commands/validation';

describe('job prompt validation', () => {
  it('accepts max_records from 100000 to 200000 in steps of 1000, or empty', () => {
    for (const ok of ['100000', '150000', '200000', '150,000', '']) {
      assert.strictEqual(validateMaxRecords(ok), undefined, ok);
    }
    for (const bad of ['99000', '201000', '150500', '1e5', 'abc', '-100000']) {
      assert.match(validateMaxRecords(bad) ?? '', /100000 to 200000 in steps of 1000/, bad);
    }
    assert.strictEqual(parseMaxRecords('150,000'), 150000);
    assert.strictEqual(parseMaxRecords(' '), undefined);
  });

  it('accepts digit-only job ids', () => {
    assert.strictEqual(validateJobId(' 2000000018003 '), undefined);
    assert.match(validateJobId('12ab') ?? '', /digits only/);
    assert.ok(validateJobId(''));
  });

  it('checks link names, owner/app input and comma-separated field lists', () => {
    assert.strictEqual(validateLinkName('report link name')('All_Orders'), undefined);
    assert.match(validateLinkName('report link name')('All Orders') ?? '', /report link name/);
    assert.strictEqual(validateAppInput('zylker-store'), undefined);
    assert.strictEqual(validateAppInput('other_ws/zylker-store'), undefined);
    assert.ok(validateAppInput('a/b/c'));
    assert.deepStrictEqual(parseFieldList(' Email, Customer_Name.first_name ,,'), [
      'Email',
      'Customer_Name.first_name',
    ]);
    assert.strictEqual(validateFieldList('Email, Customer_Name.first_name'), undefined);
    assert.match(validateFieldList('Email, Total Amount') ?? '', /"Total Amount"/);
  });

  it('catches unbalanced quotes and parentheses in criteria', () => {
    assert.strictEqual(validateCriteria('Total >= 100.00 && Status == "Open"'), undefined);
    assert.strictEqual(validateCriteria('(a == 1) && (b == "x)")'), undefined);
    assert.ok(validateCriteria('Status == "Open'));
    assert.ok(validateCriteria('(a == 1'));
    assert.ok(validateCriteria('a == 1)'));
  });

  it('accepts every construct of the Deluge criteria grammar the live API takes', () => {
    const accepted = [
      'Country=="India"',
      'Quantity >= 5 && (Status == "Open" || Status == "Shipped")',
      '((a != 1) || b < 2) && c <= -3.5 && d > 0 && e >= 1',
      'Notes == "say \\"hi\\" (twice)"',
      'Product == "Monitor 27\\" (matte)" || Product == "Desk"',
      'Notes == "ends with a backslash \\\\"',
      'Notes == "a ) inside" && Notes != "( too"',
      'Email.contains("@") && Name.startsWith("A") || Name.endsWith("z")',
      'Customer_Name.first_name != null',
      "Added_Time > '01-Jan-2024 00:00:00'",
      '',
    ];
    for (const criteria of accepted) {
      assert.strictEqual(validateCriteria(criteria), undefined, criteria);
    }
  });

  it('says where the unclosed string or stray parenthesis is', () => {
    assert.match(validateCriteria('Notes == "a \\" b') ?? '', /unclosed double quote \(character 10\)/);
    assert.match(
      validateCriteria('(a == 1)) && (b == 2') ?? '',
      /"\)" with no matching "\(" \(character 9\)/,
    );
    assert.match(validateCriteria('((a == 1)') ?? '', /"\(" that is never closed/);
  });
});
