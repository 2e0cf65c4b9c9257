// Registers the export commands (one file each) for extension.ts.
import type * as vscode from 'vscode';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTree';
import { registerCancelExport } from './cancelExport';
import { registerCompareRuns } from './compareRuns';
import { registerExportReport } from './exportReport';
import { registerOpenExport } from './openExport';
import { registerRemoveExport } from './removeExport';
import { registerRestartExport } from './restartExport';
import { registerRunSavedExport } from './runSavedExport';
import { registerSaveExportDefinition } from './saveExportDefinition';
import { registerRevealExport } from './revealExport';

export function registerExportCommands(
  context: vscode.ExtensionContext,
  services: Services,
  tree: JobsTree,
): void {
  registerExportReport(context, services, tree);
  registerCancelExport(context, services);
  registerRestartExport(context, services);
  registerOpenExport(context, services);
  registerRevealExport(context, services);
  registerRemoveExport(context, services);
  registerRunSavedExport(context, services, tree);
  registerSaveExportDefinition(context, services);
  registerCompareRuns(context, services);
}
