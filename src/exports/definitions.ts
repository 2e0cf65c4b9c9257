// Export definitions: named, saved exports in the workspace file `.vscode/zoho-exports.json`
// (JSON with comments, like VS Code's own files there). Parsing never throws: every problem is
// reported with the place it is at, for the editor's diagnostics. One checker for every key keeps
// the file a little over 400 lines ("mode" and "fullRunEvery" are in ./incrementalDefinition.ts).
import type * as Jsonc from 'jsonc-parser';
import type { Node, ParseError } from 'jsonc-parser';
import { buildCreateBody, MAX_MAX_RECORDS } from '../zoho/createBody';
import { parseExpression, type Expr } from '../zoho/criteriaParser';
import { CriteriaError } from '../zoho/criteriaTokens';
import { DATA_CENTRES } from '../zoho/dataCentres';
import { isValidLinkName } from '../zoho/paths';
import type { FirstBatchQuery } from '../zoho/types';
import { destinationProblem } from './destination';
import { DEFAULT_FULL_RUN_EVERY_DAYS, type IncrementalRequest } from './incremental';
import { checkMode } from './incrementalDefinition';

/**
 * jsonc-parser, loaded on first use (a file of its own under dist/vendor/, esbuild.js
 * LAZY_LIBRARIES): a window without a definitions file never loads it.
 */
export function jsonc(): typeof Jsonc {
  // A require where it is used is what defers the load (an import is hoisted to the top).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('jsonc-parser') as typeof Jsonc;
}

/** Workspace-relative location of the definitions file. */
export const DEFINITIONS_FILE = '.vscode/zoho-exports.json';

/** Which signed-in account runs a definition: by label, or by owner (and data centre). */
export type AccountSelector = string | { owner: string; dataCentre?: string };

export interface ExportDefinition {
  name: string;
  account?: AccountSelector;
  app: string;
  report: string;
  /** Owner in bulk paths for apps hosted in another workspace; defaults to the account's owner. */
  owner?: string;
  criteria?: string;
  fields?: string[];
  batchSize?: number;
  /** Workspace-relative file with {report}, {app}, {date}, {time}; defaults to the setting. */
  destination?: string;
  /**
   * 'incremental': the destination is a snapshot kept equal to the report, each run asking only
   * for what changed since the last (./incremental.ts). 'full' (the default): the whole report.
   */
  mode?: 'full' | 'incremental';
  /** Incremental mode: days between full runs, which find deleted records (default 7). */
  fullRunEvery?: number;
}

/** Where an incremental definition without "destination" keeps its snapshot: one file, no date. */
export const DEFAULT_SNAPSHOT_FILE = 'exports/{report}.csv';

export interface Span {
  offset: number;
  length: number;
}

export interface DefinitionProblem extends Span {
  message: string;
  /** A warning leaves the definition runnable (a name we do not know may still be right). */
  severity?: 'warning';
  /** The text is not valid JSON: an editor's own JSON support reports this already. */
  syntax?: true;
}

/**
 * What is known to check names against: the signed-in accounts, and the columns of a report as its
 * last result had them. Without it (or for a report never exported) those checks are skipped.
 */
export interface KnownNames {
  accounts?: ReadonlyArray<{ label: string; owner: string; dataCentre: string }>;
  columns?: (app: string, report: string) => readonly string[] | undefined;
}

/** Fields every record has, shown in a report or not (contract, "Fields"). */
const SYSTEM_FIELDS = new Set(['ID', 'Added_Time', 'Modified_Time', 'Added_User', 'Modified_User']);

export interface LocatedDefinition {
  definition: ExportDefinition;
  /** The definition's object in the file (for the CodeLens above it). */
  span: Span;
}

export interface ParsedDefinitions {
  /** Valid definitions only. */
  definitions: LocatedDefinition[];
  problems: DefinitionProblem[];
}

const KEYS = new Set([
  'name',
  'account',
  'app',
  'report',
  'owner',
  'criteria',
  'fields',
  'batchSize',
  'destination',
  'mode',
  'fullRunEvery',
]);

function span(node: Node): Span {
  return { offset: node.offset, length: node.length };
}

/**
 * What a definition asks the export runner for: its query, and for an incremental definition how
 * its runs go (`full`: the user asked for a full run now).
 */
export function definitionRequest(
  definition: ExportDefinition,
  options: { full?: boolean } = {},
): { query: FirstBatchQuery; incremental?: IncrementalRequest } {
  const query = definitionQuery(definition);
  if (definition.mode !== 'incremental') {
    return { query };
  }
  return {
    query,
    incremental: {
      fullRunEvery: definition.fullRunEvery ?? DEFAULT_FULL_RUN_EVERY_DAYS,
      ...(options.full && { full: true }),
    },
  };
}

/** The destination template of a definition (an incremental one keeps one snapshot file). */
export function definitionDestination(definition: ExportDefinition, setting: string): string {
  return definition.destination ?? (definition.mode === 'incremental' ? DEFAULT_SNAPSHOT_FILE : setting);
}

/** The query a definition sends for its first batch. */
export function definitionQuery(definition: ExportDefinition): FirstBatchQuery {
  const query: FirstBatchQuery = {};
  if (definition.criteria?.trim()) {
    query.criteria = definition.criteria.trim();
  }
  if (definition.fields && definition.fields.length > 0) {
    query.fields = definition.fields;
  }
  // The largest batch unless told otherwise: the fewest API calls for a whole report.
  query.max_records = definition.batchSize ?? MAX_MAX_RECORDS;
  return query;
}

export function parseDefinitions(text: string, known: KnownNames = {}): ParsedDefinitions {
  const errors: ParseError[] = [];
  const root = jsonc().parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const problems: DefinitionProblem[] = errors.map((error) => ({
    offset: error.offset,
    length: Math.max(1, error.length),
    message: `Not valid JSON here (${jsonc().printParseErrorCode(error.error)}).`,
    syntax: true,
  }));
  if (!root) {
    return { definitions: [], problems };
  }
  const list = root.type === 'object' ? jsonc().findNodeAtLocation(root, ['exports']) : undefined;
  if (root.type !== 'object' || !list || list.type !== 'array') {
    problems.push({
      ...span(list ?? root),
      message:
        'The file should be an object with an "exports" list: { "exports": [ { "name": …, "app": …, "report": … } ] }.',
    });
    return { definitions: [], problems };
  }
  const definitions: LocatedDefinition[] = [];
  const names = new Set<string>();
  for (const node of list.children ?? []) {
    const found = checkDefinition(node, problems, text, known);
    if (!found) {
      continue;
    }
    if (names.has(found.name)) {
      problems.push({
        ...span(jsonc().findNodeAtLocation(node, ['name']) ?? node),
        message: `Another definition is already named "${found.name}".`,
      });
      continue;
    }
    names.add(found.name);
    definitions.push({ definition: found, span: span(node) });
  }
  return { definitions, problems };
}

/** The definition in `node`, or undefined after recording why it cannot be run. */
function checkDefinition(
  node: Node,
  problems: DefinitionProblem[],
  source: string,
  known: KnownNames,
): ExportDefinition | undefined {
  if (node.type !== 'object') {
    problems.push({
      ...span(node),
      message: 'Each export definition is an object with at least "name", "app" and "report".',
    });
    return undefined;
  }
  let errors = 0;
  const problem = (at: Node | Span | undefined, message: string): void => {
    errors++;
    problems.push({ ...span((at ?? node) as Node), message });
  };
  const warning = (at: Node | Span, message: string): void => {
    problems.push({ ...span(at as Node), message, severity: 'warning' });
  };
  const value = jsonc().getNodeValue(node) as Record<string, unknown>;
  const field = (key: string): Node | undefined => jsonc().findNodeAtLocation(node, [key]);
  for (const property of node.children ?? []) {
    const key = property.children?.[0];
    if (key && !KEYS.has(String(key.value))) {
      problem(key, `Unknown property "${String(key.value)}". Known: ${[...KEYS].join(', ')}.`);
    }
  }
  const text = (key: string, required: boolean): string | undefined => {
    const raw = value[key];
    if (raw === undefined) {
      if (required) {
        problem(undefined, `This definition needs "${key}".`);
      }
      return undefined;
    }
    if (typeof raw !== 'string' || raw.trim() === '') {
      problem(field(key), `"${key}" must be non-empty text.`);
      return undefined;
    }
    return raw.trim();
  };
  const name = text('name', true);
  const app = text('app', true);
  const report = text('report', true);
  const owner = text('owner', false);
  for (const [key, linkName] of [
    ['app', app],
    ['report', report],
    ['owner', owner],
  ] as const) {
    if (linkName !== undefined && !isValidLinkName(linkName)) {
      problem(
        field(key),
        `"${linkName}" is not a link name: use the name from the app's URL (letters, digits, "_", "-").`,
      );
    }
  }
  const criteria = value.criteria;
  let criteriaFields: Array<{ name: string; at: Span }> = [];
  if (criteria !== undefined && typeof criteria !== 'string') {
    problem(field('criteria'), '"criteria" must be text, e.g. "Status == \\"Open\\"".');
  } else if (typeof criteria === 'string' && criteria.trim() !== '') {
    const at = field('criteria') as Node;
    try {
      criteriaFields = fieldsOf(parseExpression(criteria)).map((each) => ({
        name: each.field,
        at: {
          offset: inString(source, at, each.at),
          length: inString(source, at, each.at + each.field.length) - inString(source, at, each.at),
        },
      }));
    } catch (error) {
      if (!(error instanceof CriteriaError)) {
        throw error;
      }
      // The same grammar Zoho reads (../zoho/criteriaParser.ts), marked where it goes wrong.
      problem({ offset: inString(source, at, error.position), length: 1 }, error.message);
    }
  }
  const fields = value.fields;
  if (
    fields !== undefined &&
    (!Array.isArray(fields) || fields.some((f) => typeof f !== 'string' || !isValidLinkName(f.trim())))
  ) {
    problem(field('fields'), '"fields" must be a list of field link names, e.g. ["Email", "Address.City"].');
  }
  const batchSize = value.batchSize;
  try {
    buildCreateBody({ max_records: batchSize as number | undefined });
  } catch (error) {
    problem(field('batchSize'), (error as Error).message);
  }
  const destination = value.destination;
  if (destination !== undefined) {
    const why =
      typeof destination === 'string' ? destinationProblem(destination) : '"destination" must be text.';
    if (why) {
      problem(field('destination'), why);
    }
  }
  const mode = checkMode(value, field, problem, warning);
  const account = checkAccount(value.account, field('account'), problem);
  if (account !== undefined && known.accounts && !known.accounts.some((each) => isAccount(each, account))) {
    const signedIn = known.accounts.map((each) => `"${each.label}"`).join(', ') || 'none';
    warning(
      field('account') as Node,
      `No signed-in account is ${typeof account === 'string' ? `"${account}"` : `of ${account.owner}${account.dataCentre ? ` (${account.dataCentre})` : ''}`} (signed in: ${signedIn}). Running it offers to sign in.`,
    );
  }
  const columns = app && report ? known.columns?.(app, report) : undefined;
  if (mode === 'incremental' && columns && !columns.includes('Modified_Time')) {
    warning(
      field('mode') as Node,
      `${report}'s last export had no Modified_Time column, so an incremental export cannot find what changed: use "mode": "full"${Array.isArray(fields) ? ', or add "Modified_Time" to "fields"' : ''}.`,
    );
  }
  if (columns) {
    const listed = (field('fields')?.children ?? [])
      .filter((each) => typeof each.value === 'string')
      .map((each) => ({ name: String(each.value).trim(), at: span(each) }));
    for (const { name: fieldName, at } of [...listed, ...criteriaFields]) {
      if (!isColumn(fieldName, columns)) {
        warning(
          at,
          `"${fieldName}" is not a column of ${report} (its last result had ${columns.slice(0, 12).join(', ')}${columns.length > 12 ? ', …' : ''}).`,
        );
      }
    }
  }
  if (errors > 0 || !name || !app || !report) {
    return undefined;
  }
  const definition: ExportDefinition = { name, app, report };
  if (account !== undefined) {
    definition.account = account;
  }
  if (owner !== undefined) {
    definition.owner = owner;
  }
  if (typeof criteria === 'string' && criteria.trim() !== '') {
    definition.criteria = criteria.trim();
  }
  if (Array.isArray(fields) && fields.length > 0) {
    definition.fields = (fields as string[]).map((f) => f.trim());
  }
  if (typeof batchSize === 'number') {
    definition.batchSize = batchSize;
  }
  if (typeof destination === 'string') {
    definition.destination = destination.trim();
  }
  if (mode !== undefined) {
    definition.mode = mode;
  }
  if (typeof value.fullRunEvery === 'number') {
    definition.fullRunEvery = value.fullRunEvery;
  }
  return definition;
}

/** The field names an expression compares, with where each stands in the criteria. */
function fieldsOf(expr: Expr): Array<{ field: string; at: number }> {
  if ('left' in expr) {
    return [...fieldsOf(expr.left), ...fieldsOf(expr.right)];
  }
  return [{ field: expr.field, at: expr.at }];
}

function isColumn(name: string, columns: readonly string[]): boolean {
  const base = name.split('.')[0];
  return (
    SYSTEM_FIELDS.has(base) ||
    columns.includes(name) ||
    columns.some((column) => column === base || column.startsWith(`${base}.`))
  );
}

function isAccount(
  account: { label: string; owner: string; dataCentre: string },
  selector: AccountSelector,
): boolean {
  return typeof selector === 'string'
    ? account.label === selector
    : account.owner === selector.owner &&
        (!selector.dataCentre || account.dataCentre === selector.dataCentre);
}

/**
 * The offset in the file of character `position` of the JSON string `node`'s value (escapes such as
 * \" take more characters in the file than in the value).
 */
function inString(text: string, node: Node, position: number): number {
  let offset = node.offset + 1;
  const end = node.offset + node.length - 1;
  for (let index = 0; index < position && offset < end; index++) {
    offset += text[offset] !== '\\' ? 1 : text[offset + 1] === 'u' ? 6 : 2;
  }
  return offset;
}

function checkAccount(
  raw: unknown,
  at: Node | undefined,
  problem: (at: Node | undefined, message: string) => void,
): AccountSelector | undefined {
  if (raw === undefined) {
    return undefined;
  }
  if (typeof raw === 'string' && raw.trim() !== '') {
    return raw.trim();
  }
  const candidate = raw as { owner?: unknown; dataCentre?: unknown } | null;
  if (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.owner === 'string' &&
    candidate.owner.trim()
  ) {
    const dataCentre = candidate.dataCentre;
    if (
      dataCentre !== undefined &&
      (typeof dataCentre !== 'string' || !(dataCentre in DATA_CENTRES || dataCentre === 'custom'))
    ) {
      problem(at, `"dataCentre" must be one of ${[...Object.keys(DATA_CENTRES), 'custom'].join(', ')}.`);
      return undefined;
    }
    return dataCentre === undefined
      ? { owner: candidate.owner.trim() }
      : { owner: candidate.owner.trim(), dataCentre };
  }
  problem(at, '"account" is an account label ("Zylker (US)"), or { "owner": "zylker", "dataCentre": "US" }.');
  return undefined;
}

/** Serialises definitions for writing the file (2-space JSON, like VS Code's own). */
export function definitionsFileText(definitions: ExportDefinition[]): string {
  return `${JSON.stringify({ exports: definitions }, null, 2)}\n`;
}
