// The definitions file the editor writes (.vscode/zoho-exports.json), found from the current folder
// upward as git finds .git, parsed by the same code as the editor's diagnostics
// (src/exports/definitions.ts), its problems placed at file:line:column.
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  DEFINITIONS_FILE,
  definitionDestination,
  parseDefinitions,
  type DefinitionProblem,
  type ExportDefinition,
  type ParsedDefinitions,
} from '../exports/definitions';
import { DEFAULT_EXPORT_FILE, expandDestination, relativeSegments } from '../exports/destination';
import type { ReportRef } from '../zoho/types';
import { CliError, EXIT } from './exitCodes';
import type { CliEvent } from './output';

export interface DefinitionsFile {
  /** Absolute path of the file. */
  file: string;
  /** The folder destinations are relative to: the one holding .vscode/ (the workspace folder). */
  root: string;
  text: string;
  parsed: ParsedDefinitions;
}

/** The file named by --definitions, or .vscode/zoho-exports.json in `from` or a folder above it. */
export function findDefinitions(explicit: string | undefined, from: string = process.cwd()): string {
  if (explicit) {
    const file = path.resolve(from, explicit);
    if (!existsSync(file)) {
      throw new CliError(EXIT.usage, `The definitions file ${file} does not exist.`);
    }
    return file;
  }
  for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, DEFINITIONS_FILE);
    if (existsSync(candidate)) {
      return candidate;
    }
    if (path.dirname(dir) === dir) {
      throw new CliError(
        EXIT.usage,
        `No ${DEFINITIONS_FILE} in ${path.resolve(from)} or any folder above it. Save an export as a definition in VS Code (Save Export as Definition), or name a file with --definitions FILE.`,
      );
    }
  }
}

export async function loadDefinitions(explicit: string | undefined): Promise<DefinitionsFile> {
  const file = findDefinitions(explicit);
  const text = await fs.readFile(file, 'utf8');
  const dir = path.dirname(file);
  const root = path.basename(dir) === '.vscode' ? path.dirname(dir) : dir;
  return { file, root, text, parsed: parseDefinitions(text) };
}

/** 1-based line and column of `offset` in `text` (as an editor counts them). */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

export function problemEvent(defs: DefinitionsFile, problem: DefinitionProblem): CliEvent {
  const { line, column } = lineColumn(defs.text, problem.offset);
  return {
    type: 'problem',
    file: path.relative(process.cwd(), defs.file) || defs.file,
    line,
    column,
    severity: problem.severity === 'warning' ? 'warning' : 'error',
    message: problem.message,
  };
}

export function hasErrors(defs: DefinitionsFile): boolean {
  return defs.parsed.problems.some((problem) => problem.severity !== 'warning');
}

/** Absolute path of a definition's CSV for a run starting `now`. */
export function destinationOf(
  defs: DefinitionsFile,
  definition: ExportDefinition,
  ref: ReportRef,
  now: Date,
): string {
  const template = definitionDestination(definition, DEFAULT_EXPORT_FILE);
  const segments = relativeSegments(expandDestination(template, ref, now));
  if (typeof segments === 'string') {
    throw new CliError(EXIT.usage, segments); // checked by parseDefinitions already
  }
  return path.join(defs.root, ...segments);
}
