// The tokenizer of Deluge criteria (docs/zoho-bulk-read-api.md, "Creating a job"):
// shared by the definitions' diagnostics (../exports/definitions.ts) and the test simulator, so
// both accept exactly what Zoho accepts: field names (with `.sub` parts),
// numbers, double-quoted strings with backslash escapes, `null`, comparison and logical
// operators, parentheses, `.`, `,` and `-`. Spaces between tokens are optional.

export class CriteriaError extends Error {
  /** 0-based offset in the criteria text where the problem was found. */
  readonly position: number;

  constructor(position: number, problem: string) {
    super(`Invalid criteria at position ${position + 1}: ${problem}`);
    this.position = position;
  }
}

export type TokenKind =
  | 'name' // Status, Customer_Name.first_name, Email.contains
  | 'number' // 5, 10.25
  | 'string' // "Open" (text holds the unescaped value)
  | 'null'
  | 'op' // == != < <= > >=
  | 'and' // &&
  | 'or' // ||
  | '('
  | ')'
  | ','
  | '-'
  | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset of the token's first character. */
  at: number;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const NUMBER = /\d+(?:\.\d+)?/y;
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>'] as const;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', n: '\n', t: '\t', r: '\r' };

/** Describes a token for error messages: `"&&"`, `the end of the criteria`. */
export function describe(token: Token): string {
  if (token.kind === 'end') {
    return 'the end of the criteria';
  }
  return token.kind === 'string' ? `the string ${JSON.stringify(token.text)}` : `"${token.text}"`;
}

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let pos = 0;
  while (pos < text.length) {
    const c = text[pos];
    if (/\s/.test(c)) {
      pos++;
      continue;
    }
    const at = pos;
    if (c === '"') {
      const { value, next } = readString(text, at);
      tokens.push({ kind: 'string', text: value, at });
      pos = next;
      continue;
    }
    const op = OPERATORS.find((candidate) => text.startsWith(candidate, pos));
    if (op) {
      const kind = op === '&&' ? 'and' : op === '||' ? 'or' : 'op';
      tokens.push({ kind, text: op, at });
      pos += op.length;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '-') {
      tokens.push({ kind: c, text: c, at });
      pos++;
      continue;
    }
    const number = sticky(NUMBER, text, pos);
    if (number !== undefined) {
      if (/[A-Za-z_]/.test(text[pos + number.length] ?? '')) {
        throw new CriteriaError(
          at,
          `"${number}${text[pos + number.length]}" is neither a number nor a field name.`,
        );
      }
      tokens.push({ kind: 'number', text: number, at });
      pos += number.length;
      continue;
    }
    const name = sticky(NAME, text, pos);
    if (name !== undefined) {
      tokens.push({ kind: name === 'null' ? 'null' : 'name', text: name, at });
      pos += name.length;
      continue;
    }
    if (c === '=' || c === '!' || c === '&' || c === '|') {
      const hint = c === '=' ? '==' : c === '!' ? '!=' : c + c;
      throw new CriteriaError(at, `unexpected "${c}": did you mean "${hint}"?`);
    }
    if (c === "'") {
      throw new CriteriaError(at, 'strings go in double quotes ("Open"), not single quotes.');
    }
    throw new CriteriaError(at, `unexpected character "${c}".`);
  }
  tokens.push({ kind: 'end', text: '', at: text.length });
  return tokens;
}

function sticky(pattern: RegExp, text: string, pos: number): string | undefined {
  pattern.lastIndex = pos;
  return pattern.exec(text)?.[0];
}

function readString(text: string, start: number): { value: string; next: number } {
  let value = '';
  let pos = start + 1;
  while (pos < text.length) {
    const c = text[pos];
    if (c === '"') {
      return { value, next: pos + 1 };
    }
    if (c === '\\') {
      const escaped = ESCAPES[text[pos + 1] ?? ''];
      if (escaped === undefined) {
        throw new CriteriaError(
          pos,
          pos + 1 < text.length
            ? `unknown escape "\\${text[pos + 1]}" in a string (use \\" or \\\\).`
            : 'the string ends with a lone backslash.',
        );
      }
      value += escaped;
      pos += 2;
      continue;
    }
    value += c;
    pos++;
  }
  throw new CriteriaError(start, 'this string has no closing double quote.');
}
