// A recursive-descent parser for Deluge criteria. Precedence, loosest first: `||`, `&&`, then a
// condition or a parenthesised expression; `&&` and `||` are left-associative.
//
//   expression := and ( "||" and )*
//   and        := primary ( "&&" primary )*
//   primary    := "(" expression ")" | condition
//   condition  := field op value | field "." method "(" string ")"
//   op         := "==" | "!=" | "<" | "<=" | ">" | ">="
//   value      := number | "-" number | string | null
//   method     := contains | startsWith | endsWith
import { CriteriaError, describe, tokenize, type Token } from './criteriaTokens';

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type StringMethod = 'contains' | 'startsWith' | 'endsWith';
export const STRING_METHODS: readonly StringMethod[] = ['contains', 'startsWith', 'endsWith'];

export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'compare'; field: string; at: number; op: CompareOp; value: string | number | null }
  | { kind: 'method'; field: string; at: number; method: StringMethod; arg: string };

const OPS = '==, !=, <, <=, >, >=';

export function parseExpression(text: string): Expr {
  const parser = new Parser(tokenize(text));
  if (parser.peek().kind === 'end') {
    throw new CriteriaError(0, 'the criteria is empty.');
  }
  const expr = parser.expression();
  const rest = parser.peek();
  if (rest.kind !== 'end') {
    const problem =
      rest.kind === ')' ? 'this ")" has no matching "(".' : `expected && or || before ${describe(rest)}.`;
    throw new CriteriaError(rest.at, problem);
  }
  return expr;
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.kind !== 'end') {
      this.index++;
    }
    return token;
  }

  expression(): Expr {
    let left = this.and();
    while (this.peek().kind === 'or') {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Expr {
    let left = this.primary();
    while (this.peek().kind === 'and') {
      this.next();
      left = { kind: 'and', left, right: this.primary() };
    }
    return left;
  }

  private primary(): Expr {
    const token = this.next();
    if (token.kind === '(') {
      const inner = this.expression();
      const close = this.next();
      if (close.kind !== ')') {
        throw new CriteriaError(
          close.at,
          `expected ")" to close the "(" at position ${token.at + 1}, found ${describe(close)}.`,
        );
      }
      return inner;
    }
    if (token.kind !== 'name') {
      throw new CriteriaError(token.at, `expected a field name or "(", found ${describe(token)}.`);
    }
    if (this.peek().kind === '(') {
      return this.method(token);
    }
    const op = this.next();
    if (op.kind !== 'op') {
      throw new CriteriaError(
        op.at,
        `expected an operator (${OPS}) or a method (.contains, .startsWith, .endsWith) after "${token.text}", found ${describe(op)}.`,
      );
    }
    const value = this.value(op);
    if (value === null && op.text !== '==' && op.text !== '!=') {
      throw new CriteriaError(op.at, `null can only be compared with == or !=, not ${op.text}.`);
    }
    return { kind: 'compare', field: token.text, at: token.at, op: op.text as CompareOp, value };
  }

  private method(name: Token): Expr {
    const dot = name.text.lastIndexOf('.');
    const method = name.text.slice(dot + 1);
    if (dot < 0) {
      throw new CriteriaError(name.at, `"${name.text}(" needs a field before it, e.g. Email.contains("@").`);
    }
    if (!STRING_METHODS.includes(method as StringMethod)) {
      throw new CriteriaError(
        name.at + dot + 1,
        `unknown method "${method}"; the string methods are ${STRING_METHODS.join(', ')}.`,
      );
    }
    this.next(); // "("
    const arg = this.next();
    if (arg.kind !== 'string') {
      throw new CriteriaError(arg.at, `${method}() takes one "string", found ${describe(arg)}.`);
    }
    const close = this.next();
    if (close.kind !== ')') {
      throw new CriteriaError(
        close.at,
        `expected ")" after the argument of ${method}, found ${describe(close)}.`,
      );
    }
    return {
      kind: 'method',
      field: name.text.slice(0, dot),
      at: name.at,
      method: method as StringMethod,
      arg: arg.text,
    };
  }

  private value(op: Token): string | number | null {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return token.text;
      case 'null':
        return null;
      case 'number':
        return Number(token.text);
      case '-': {
        const number = this.next();
        if (number.kind !== 'number') {
          throw new CriteriaError(number.at, `expected a number after "-", found ${describe(number)}.`);
        }
        return -Number(number.text);
      }
      default:
        throw new CriteriaError(
          token.at,
          `expected a value (a number, a "string" or null) after "${op.text}", found ${describe(token)}.`,
        );
    }
  }
}
