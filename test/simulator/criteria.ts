// A small subset of Deluge criteria: `Field op literal` joined by `&&`, where op is one of
// == != > >= < <= and literal is a number or a "double-quoted string". Anything else is refused
// with a clear message rather than silently matching everything.

export class CriteriaError extends Error {}

export type RowPredicate = (row: readonly string[]) => boolean;

type Op = '==' | '!=' | '>' | '>=' | '<' | '<=';

interface Condition {
  column: number;
  op: Op;
  value: string | number;
}

const SUPPORTED =
  'The simulator supports `Field op literal` joined by && (op: == != > >= < <=; literal: number or "string").';
const TOKEN =
  /\s*(?:(&&)|(==|!=|>=|<=|>|<)|(-?\d+(?:\.\d+)?)(?![\w.])|("(?:[^"\\]|\\.)*")|([A-Za-z_][\w.]*))/y;

interface Token {
  kind: 'and' | 'op' | 'number' | 'string' | 'name';
  text: string;
}

function tokenize(criteria: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < criteria.length) {
    if (/^\s*$/.test(criteria.slice(pos))) {
      break;
    }
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(criteria);
    if (!m) {
      throw new CriteriaError(
        `Invalid criteria near "${criteria.slice(pos).trim().slice(0, 20)}". ${SUPPORTED}`,
      );
    }
    pos = TOKEN.lastIndex;
    const [, and, op, num, str, name] = m;
    if (and) {
      tokens.push({ kind: 'and', text: and });
    } else if (op) {
      tokens.push({ kind: 'op', text: op });
    } else if (num) {
      tokens.push({ kind: 'number', text: num });
    } else if (str) {
      tokens.push({ kind: 'string', text: str.slice(1, -1).replace(/\\(.)/g, '$1') });
    } else {
      tokens.push({ kind: 'name', text: name });
    }
  }
  return tokens;
}

export function parseCriteria(criteria: string, columns: readonly string[]): RowPredicate {
  const tokens = tokenize(criteria);
  const conditions: Condition[] = [];
  for (let i = 0; i < tokens.length; i += 4) {
    const [field, op, literal, joiner] = tokens.slice(i, i + 4);
    if (
      field?.kind !== 'name' ||
      op?.kind !== 'op' ||
      (literal?.kind !== 'number' && literal?.kind !== 'string')
    ) {
      throw new CriteriaError(`Invalid criteria "${criteria}". ${SUPPORTED}`);
    }
    if (joiner && joiner.kind !== 'and') {
      throw new CriteriaError(`Invalid criteria "${criteria}": expected && after a condition. ${SUPPORTED}`);
    }
    if (joiner && i + 4 >= tokens.length) {
      throw new CriteriaError(`Invalid criteria "${criteria}": nothing after &&.`);
    }
    const column = columns.indexOf(field.text);
    if (column < 0) {
      throw new CriteriaError(`Invalid criteria: no field named "${field.text}" in this report.`);
    }
    conditions.push({
      column,
      op: op.text as Op,
      value: literal.kind === 'number' ? Number(literal.text) : literal.text,
    });
  }
  if (conditions.length === 0) {
    throw new CriteriaError(`Invalid criteria: it is empty. ${SUPPORTED}`);
  }
  return (row) => conditions.every((c) => test(row[c.column], c));
}

function test(cell: string, c: Condition): boolean {
  let left: string | number = cell;
  if (typeof c.value === 'number') {
    left = cell.trim() === '' ? NaN : Number(cell);
    if (Number.isNaN(left)) {
      return c.op === '!=';
    }
  }
  switch (c.op) {
    case '==':
      return left === c.value;
    case '!=':
      return left !== c.value;
    case '>':
      return left > c.value;
    case '>=':
      return left >= c.value;
    case '<':
      return left < c.value;
    case '<=':
      return left <= c.value;
  }
}
