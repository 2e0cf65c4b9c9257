// The steps that choose a report inside a guided flow: account (only when several are signed in),
// application, report. Lists come from the meta APIs once per flow (Back does not spend another
// call); when listing fails (often a missing scope) the step becomes a box for the link name and
// says why. Names not listed can be typed into the filter of a list.
import * as vscode from 'vscode';
import { errorMessage } from '../core/format';
import type { Services } from '../services';
import { isZohoError } from '../zoho/errors';
import { isValidLinkName } from '../zoho/paths';
import type { Account, Application, Report, ReportRef } from '../zoho/types';
import { takeProblem, type InputFlow, type Step, type StepProblem } from './stepFlow';
import { validateAppInput, validateLinkName } from './validation';

export interface AppChoice {
  /** Owner used in bulk paths: the workspace for apps shared from another workspace (category 2). */
  owner: string;
  app: string;
}

export interface ReportState {
  account?: Account;
  app?: AppChoice;
  report?: string;
  problem?: StepProblem;
  /** Lists loaded in this flow, by account id and by owner/app; a string says why none. */
  lists: Map<string, Application[] | Report[] | string>;
}

export function newReportState(): ReportState {
  return { lists: new Map() };
}

/** The report chosen so far; only call once the report steps have run. */
export function chosenRef(state: ReportState): { account: Account; ref: ReportRef } {
  if (!state.account || !state.app || !state.report) {
    throw new Error('The report steps have not run.');
  }
  return {
    account: state.account,
    ref: { owner: state.app.owner, app: state.app.app, report: state.report },
  };
}

/** How many steps choosing a report takes. */
export function reportStepCount(services: Services): number {
  return services.accounts.list().length > 1 ? 3 : 2;
}

/** Bulk read refuses pivot and third-party reports (7150). */
export function isUnsupportedReport(report: Report): boolean {
  return /pivot|third/i.test(report.type ?? '');
}

export function unsupportedReason(report: Report): string {
  return `${report.display_name} is a ${report.type} report: bulk read cannot read pivot or third-party reports. Pick a list report.`;
}

function whyNoList(error: unknown, scope: string): string {
  if (isZohoError(error, 'missingScope')) {
    return `the token lacks the ${error.scope ?? scope} scope`;
  }
  return errorMessage(error).replace(/\.$/, '');
}

function ownerOf(account: Account, app: Application): string {
  return app.category === 2 && app.workspace_name ? app.workspace_name : account.owner;
}

function appText(account: Account, app: AppChoice | undefined): string {
  if (!app) {
    return '';
  }
  return app.owner === account.owner ? app.app : `${app.owner}/${app.app}`;
}

function parseApp(account: Account, typed: string): AppChoice {
  const parts = typed.trim().split('/');
  return parts.length === 2 ? { owner: parts[0], app: parts[1] } : { owner: account.owner, app: parts[0] };
}

async function listOnce<T extends Application[] | Report[]>(
  flow: InputFlow<ReportState>,
  key: string,
  placeholder: string,
  load: () => Promise<T>,
  explain: (error: unknown) => string,
  log: (message: string) => void,
): Promise<T | string> {
  const cached = flow.state.lists.get(key);
  if (cached !== undefined) {
    return cached as T | string;
  }
  let list: T | string;
  try {
    list = await flow.loading(placeholder, load);
  } catch (error) {
    log(errorMessage(error));
    list = explain(error);
  }
  flow.state.lists.set(key, list);
  return list;
}

type AppItem = vscode.QuickPickItem & { choice: AppChoice };
type ReportItem = vscode.QuickPickItem & { report?: Report; linkName: string };

/**
 * The steps account -> application -> report, then `next`. Build them once per command run, so a
 * Try Again can reopen one of them with the others on the Back stack.
 */
export function reportSteps<S extends ReportState>(
  services: Services,
  next: Step<S>,
): { start: (state: S) => Step<S>; account: Step<S>; app: Step<S>; report: Step<S> } {
  const app: Step<S> = async (flow) => {
    const { state } = flow;
    const account = state.account as Account;
    const problem = takeProblem(state, 'app');
    const apps = await listOnce(
      flow as unknown as InputFlow<ReportState>,
      `apps|${account.id}`,
      `Loading the applications of ${account.label}…`,
      async () => (await services.accounts.clientFor(account.id)).listApplications(),
      (error) => `Could not list applications (${whyNoList(error, 'ZohoCreator.dashboard.READ')}).`,
      (message) => services.logger.warn(`Listing applications failed: ${message}`),
    );
    let choice: AppChoice;
    if (typeof apps === 'string' || apps.length === 0) {
      const why = typeof apps === 'string' ? apps : 'The account lists no applications.';
      const typed = await flow.input({
        prompt: `${why} Type the application link name (or owner/application for an app of another workspace).`,
        placeholder: 'zylker-store',
        value: appText(account, state.app),
        validate: validateAppInput,
        problem,
      });
      choice = parseApp(account, typed);
    } else {
      const items: AppItem[] = [...apps]
        .sort((a, b) => a.application_name.localeCompare(b.application_name))
        .map((listed) => ({
          label: listed.application_name,
          description: listed.link_name,
          detail: listed.category === 2 ? `Shared from workspace ${listed.workspace_name}` : undefined,
          choice: { owner: ownerOf(account, listed), app: listed.link_name },
        }));
      const picked = await flow.pick<AppItem>({
        placeholder: problem ?? 'Which application? (or type its link name)',
        items,
        matchOnDescription: true,
        active: (item) => item.choice.app === state.app?.app && item.choice.owner === state.app?.owner,
        typed: (value) =>
          validateAppInput(value) || items.some((item) => item.choice.app === value.trim())
            ? undefined
            : {
                // The typed text stays out of the label (see PickOptions.typed): this row comes last.
                label: '$(edit) Other application',
                description: `use "${value.trim()}" as the application link name`,
                alwaysShow: true,
                choice: parseApp(account, value),
              },
      });
      choice = picked.choice;
    }
    if (choice.app !== state.app?.app || choice.owner !== state.app?.owner) {
      state.report = undefined; // another application: its report must be chosen again
    }
    state.app = choice;
    return report;
  };

  const report: Step<S> = async (flow) => {
    const { state } = flow;
    const account = state.account as Account;
    const choice = state.app as AppChoice;
    const problem = takeProblem(state, 'report');
    const reports = await listOnce(
      flow as unknown as InputFlow<ReportState>,
      `reports|${account.id}|${choice.owner}/${choice.app}`,
      `Loading the reports of ${choice.app}…`,
      async () => (await services.accounts.clientFor(account.id)).listReports(choice.owner, choice.app),
      (error) => `Could not list reports (${whyNoList(error, 'ZohoCreator.meta.application.READ')}).`,
      (message) => services.logger.warn(`Listing reports of ${choice.app} failed: ${message}`),
    );
    if (typeof reports === 'string' || reports.length === 0) {
      const why = typeof reports === 'string' ? reports : `${choice.app} lists no reports.`;
      state.report = await flow.input({
        prompt: `${why} Type the report link name.`,
        placeholder: 'All_Orders',
        value: state.report ?? '',
        validate: validateLinkName('report link name'),
        problem,
      });
      return next;
    }
    const items: ReportItem[] = [...reports]
      .sort(
        (a, b) =>
          Number(isUnsupportedReport(a)) - Number(isUnsupportedReport(b)) ||
          a.display_name.localeCompare(b.display_name),
      )
      .map((listed) =>
        isUnsupportedReport(listed)
          ? {
              label: `$(circle-slash) ${listed.display_name}`,
              description: `${listed.link_name} · ${listed.type} report`,
              detail: 'Bulk read cannot read pivot or third-party reports',
              report: listed,
              linkName: listed.link_name,
            }
          : {
              label: listed.display_name,
              description: listed.link_name,
              report: listed,
              linkName: listed.link_name,
            },
      );
    const picked = await flow.pick<ReportItem>({
      placeholder: problem ?? `Which report of ${choice.app}? (or type its link name)`,
      items,
      matchOnDescription: true,
      active: (item) => item.linkName === state.report,
      refuse: (item) =>
        item.report && isUnsupportedReport(item.report) ? unsupportedReason(item.report) : undefined,
      typed: (value) =>
        !isValidLinkName(value.trim()) || items.some((item) => item.linkName === value.trim())
          ? undefined
          : {
              label: '$(edit) Other report',
              description: `use "${value.trim()}" as the report link name`,
              alwaysShow: true,
              linkName: value.trim(),
            },
    });
    state.report = picked.linkName;
    return next;
  };

  const account: Step<S> = async (flow) => {
    const { state } = flow;
    type AccountItem = vscode.QuickPickItem & { account: Account };
    const picked = await flow.pick<AccountItem>({
      placeholder: 'Which account?',
      items: services.accounts.list().map((listed) => ({
        label: listed.label,
        description: listed.owner,
        account: listed,
      })),
      active: (item) => item.account.id === state.account?.id,
    });
    if (picked.account.id !== state.account?.id) {
      state.app = undefined;
      state.report = undefined;
    }
    state.account = picked.account;
    return app;
  };

  /** The first step: the account, or (one account signed in) the application. */
  const start = (state: S): Step<S> => {
    const accounts = services.accounts.list();
    if (accounts.length === 1) {
      state.account = accounts[0];
      return app;
    }
    return account;
  };
  return { start, account, app, report };
}
