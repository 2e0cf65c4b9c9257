// Editor support for .vscode/zoho-exports.json: a "Run export" CodeLens above each valid
// definition, and one diagnostic at each problem, checked against what is known (the signed-in
// accounts, the columns of each report's last export). The JSON schema adds completion and hovers
// only: it validates nothing, so no mistake is reported twice (schemas/zoho-exports.schema.json).
import * as vscode from 'vscode';
import type { KnownNames, ParsedDefinitions, Span } from '../exports/definitions';
import { definitionsModule } from '../host/definitionFiles';
import { Disposable, Emitter } from '../core/lifecycle';
import { DEFAULT_FULL_RUN_EVERY_DAYS } from '../exports/incremental';
import type { Services } from '../services';

export const DEFINITIONS_SELECTOR: vscode.DocumentSelector = { pattern: '**/.vscode/zoho-exports.json' };

function range(document: vscode.TextDocument, span: Span): vscode.Range {
  return new vscode.Range(document.positionAt(span.offset), document.positionAt(span.offset + span.length));
}

export class DefinitionsEditorSupport extends Disposable implements vscode.CodeLensProvider {
  private readonly diagnostics = this.register(vscode.languages.createDiagnosticCollection('zoho-exports'));
  private readonly lensChanges = this.register(new Emitter<void>());
  readonly onDidChangeCodeLenses = this.lensChanges.event;
  private readonly cache = new Map<string, { version: number; parsed: ParsedDefinitions }>();

  constructor(private readonly services?: Services) {
    super();
    if (services) {
      // What is known changed: check the open files again.
      const recheck = (): void => {
        this.cache.clear();
        vscode.workspace.textDocuments.forEach((doc) => this.check(doc));
      };
      this.register(services.accounts.onDidChange(recheck));
      this.register(
        services.exports.onDidChangeExport(({ run, kind }) => {
          if (kind !== 'updated' || run.state !== 'running') {
            recheck();
          }
        }),
      );
    }
    this.register(vscode.languages.registerCodeLensProvider(DEFINITIONS_SELECTOR, this));
    this.register(vscode.workspace.onDidOpenTextDocument((doc) => this.check(doc)));
    this.register(vscode.workspace.onDidChangeTextDocument((event) => this.check(event.document)));
    this.register(
      vscode.workspace.onDidCloseTextDocument((doc) => {
        this.diagnostics.delete(doc.uri);
        this.cache.delete(doc.uri.toString());
      }),
    );
    vscode.workspace.textDocuments.forEach((doc) => this.check(doc));
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return this.parse(document).definitions.flatMap(({ definition, span }) => {
      const at = range(document, { offset: span.offset, length: 0 });
      const args = { uri: document.uri.toString(), name: definition.name };
      const incremental = definition.mode === 'incremental';
      const lenses = [
        new vscode.CodeLens(at, {
          title: '$(play) Run export',
          tooltip: incremental
            ? `Bring the snapshot of ${definition.app} / ${definition.report} up to date: only what changed since the last run (a full run every ${definition.fullRunEvery ?? DEFAULT_FULL_RUN_EVERY_DAYS} days)`
            : `Export ${definition.app} / ${definition.report} now`,
          command: 'creatorBulkJobs.runSavedExport',
          arguments: [args],
        }),
      ];
      if (incremental) {
        lenses.push(
          new vscode.CodeLens(at, {
            title: 'Run full export',
            tooltip: `Export the whole of ${definition.report} and find the records deleted since the last full run`,
            command: 'creatorBulkJobs.runSavedExport',
            arguments: [{ ...args, full: true }],
          }),
        );
      }
      return lenses;
    });
  }

  private check(document: vscode.TextDocument): void {
    if (vscode.languages.match(DEFINITIONS_SELECTOR, document) === 0) {
      return;
    }
    const parsed = this.parse(document);
    // VS Code's JSON language support underlines a syntax error already: say it once.
    const ownJson = document.languageId === 'json' || document.languageId === 'jsonc';
    this.diagnostics.set(
      document.uri,
      parsed.problems
        .filter((problem) => !(ownJson && problem.syntax))
        .map((problem) => {
          const diagnostic = new vscode.Diagnostic(
            range(document, problem),
            problem.message,
            problem.severity === 'warning'
              ? vscode.DiagnosticSeverity.Warning
              : vscode.DiagnosticSeverity.Error,
          );
          diagnostic.source = 'Zoho Creator exports';
          return diagnostic;
        }),
    );
    this.lensChanges.fire();
  }

  private known(): KnownNames {
    if (!this.services) {
      return {};
    }
    const { accounts, exports } = this.services;
    return {
      accounts: accounts.list(),
      columns: (app, report) => {
        // The newest completed export of the report says which columns it has.
        const header = exports
          .exports()
          .filter((run) => run.ref.app === app && run.ref.report === report && run.header)
          .sort((a, b) => b.startedAt - a.startedAt)[0]?.header;
        return header?.split(',').map((column) => column.trim().replace(/^"|"$/g, ''));
      },
    };
  }

  private parse(document: vscode.TextDocument): ParsedDefinitions {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached?.version === document.version) {
      return cached.parsed;
    }
    let parsed: ParsedDefinitions;
    try {
      parsed = definitionsModule().parseDefinitions(document.getText(), this.known());
    } catch (error) {
      // parseDefinitions does not throw; if it ever did, the editor must not lose the file's features.
      parsed = {
        definitions: [],
        problems: [{ offset: 0, length: 1, message: `Could not read the definitions: ${String(error)}` }],
      };
    }
    this.cache.set(key, { version: document.version, parsed });
    return parsed;
  }
}
