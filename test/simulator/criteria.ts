// Deluge criteria over the generated rows: parse (./criteriaParser.ts), resolve field names to
// columns, and evaluate each row. Semantics the simulator picked where Zoho says nothing:
// - a number literal compares the cell as a number; an empty or non-numeric cell then matches
//   only `!=`;
// - a string literal compares text exactly (case-sensitive; `<` and `>` by code unit order);
// - `null` is the empty cell: `Field == null` matches empty cells, `Field != null` the others;
// - contains/startsWith/endsWith are case-sensitive and look at the cell as text;
// - a string literal compared with Added_Time or Modified_Time is a date-time in the app's
//   `date_format` (time HH:mm:ss optional) and compares as an instant, as Zoho does
//   (docs/zoho-bulk-read-api.md, "Incremental extraction"); a literal in another format is 400/3020.
import { parseExpression, type Expr } from '../../src/zoho/criteriaParser';
import { CriteriaError } from '../../src/zoho/criteriaTokens';
import { DEFAULT_DATE_FORMAT } from '../../src/zoho/dateFormat';
import { DATE_TIME_FIELDS, parseDateTime } from './dates';

export { CriteriaError } from '../../src/zoho/criteriaTokens';
export { parseExpression, type Expr } from '../../src/zoho/criteriaParser';

export type RowPredicate = (row: readonly string[]) => boolean;

/** Parses `criteria` and binds it to `columns`; throws CriteriaError naming position and problem. */
export function parseCriteria(
  criteria: string,
  columns: readonly string[],
  dateFormat = DEFAULT_DATE_FORMAT,
): RowPredicate {
  return compile(parseExpression(criteria), columns, dateFormat);
}

export function compile(
  expr: Expr,
  columns: readonly string[],
  dateFormat = DEFAULT_DATE_FORMAT,
): RowPredicate {
  switch (expr.kind) {
    case 'and': {
      const left = compile(expr.left, columns, dateFormat);
      const right = compile(expr.right, columns, dateFormat);
      return (row) => left(row) && right(row);
    }
    case 'or': {
      const left = compile(expr.left, columns, dateFormat);
      const right = compile(expr.right, columns, dateFormat);
      return (row) => left(row) || right(row);
    }
    case 'method': {
      const column = columnOf(expr.field, expr.at, columns);
      const { arg } = expr;
      const test = {
        contains: (cell: string) => cell.includes(arg),
        startsWith: (cell: string) => cell.startsWith(arg),
        endsWith: (cell: string) => cell.endsWith(arg),
      }[expr.method];
      return (row) => test(row[column]);
    }
    case 'compare': {
      const column = columnOf(expr.field, expr.at, columns);
      if (typeof expr.value === 'string' && DATE_TIME_FIELDS.has(expr.field)) {
        return dateComparison(expr.op, expr.value, expr.at, dateFormat, column);
      }
      const test = comparison(expr.op, expr.value);
      return (row) => test(row[column]);
    }
  }
}

function columnOf(field: string, at: number, columns: readonly string[]): number {
  const column = columns.indexOf(field);
  if (column < 0) {
    throw new CriteriaError(at, `no field named "${field}" in this report.`);
  }
  return column;
}

function comparison(op: Extract<Expr, { kind: 'compare' }>['op'], value: string | number | null) {
  if (value === null) {
    return op === '==' ? (cell: string) => cell === '' : (cell: string) => cell !== '';
  }
  const order = (a: string | number, b: string | number): boolean => {
    switch (op) {
      case '==':
        return a === b;
      case '!=':
        return a !== b;
      case '<':
        return a < b;
      case '<=':
        return a <= b;
      case '>':
        return a > b;
      case '>=':
        return a >= b;
    }
  };
  if (typeof value === 'string') {
    return (cell: string) => order(cell, value);
  }
  return (cell: string) => {
    const number = cell.trim() === '' ? NaN : Number(cell);
    return Number.isNaN(number) ? op === '!=' : order(number, value);
  };
}

function dateComparison(
  op: Extract<Expr, { kind: 'compare' }>['op'],
  literal: string,
  at: number,
  dateFormat: string,
  column: number,
): RowPredicate {
  const instant = parseDateTime(literal, dateFormat);
  if (instant === undefined) {
    throw new CriteriaError(
      at,
      `"${literal}" is not a date-time in this application's format ${dateFormat} HH:mm:ss.`,
    );
  }
  const test = comparison(op, instant);
  return (row) => {
    const cell = parseDateTime(row[column], dateFormat);
    return cell === undefined ? op === '!=' : test(String(cell));
  };
}
