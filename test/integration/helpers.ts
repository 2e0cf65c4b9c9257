// Shared helpers of the integration suites (they run inside the real extension host).
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { TrackedJob } from '../../src/jobs/model';
import type { TreeNode } from '../../src/views/jobsTree';
import type { JobsTree } from '../../src/views/jobsTreeView';
import { DEMO, startSimulator, type Simulator } from '../simulator';
import type { SimulatorOptions } from '../simulator/api';

export const EXTENSION_ID = 'creatorbulkjobs.creator-bulk-jobs';

export async function activateExtension(): Promise<TestApi> {
  const extension = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
  if (!extension) {
    throw new Error(`${EXTENSION_ID} is not loaded`);
  }
  const api = await extension.activate();
  if (!api) {
    throw new Error(
      'activate() returned no test API: run the suite through .vscode-test.mjs (it sets CBJ_TEST_API=1)',
    );
  }
  return api;
}

/** Signs in to the simulator with the demo token through the command's options; resolves the account id. */
export async function signInToSimulator(sim: Simulator, owner: string = DEMO.owner): Promise<string> {
  const accountId = await vscode.commands.executeCommand<string | undefined>(
    'creatorBulkJobs.signInWithAccessToken',
    { dataCentre: 'custom', customHost: sim.url, family: 'B', owner, token: DEMO.accessToken },
  );
  if (!accountId) {
    throw new Error(`signing in to the simulator at ${sim.url} failed`);
  }
  return accountId;
}

/** Signs out of one account, answering the modal confirmation. */
export async function signOut(accountId: string): Promise<void> {
  await withStubbedPrompt(
    'showWarningMessage',
    async () => 'Sign Out',
    () => vscode.commands.executeCommand('creatorBulkJobs.signOut', accountId),
  );
}

/** Polls `probe` until it returns something other than undefined/false; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type Prompt =
  | 'showWarningMessage'
  | 'showErrorMessage'
  | 'showInformationMessage'
  | 'showQuickPick'
  | 'showInputBox'
  | 'showSaveDialog';

/**
 * Replaces one `vscode.window` prompt (the extension shares this API object) while `body` runs,
 * then restores it, even when `body` throws.
 */
export async function withStubbedPrompt<R>(
  name: Prompt,
  stub: (...args: never[]) => unknown,
  body: () => Thenable<R> | Promise<R>,
): Promise<R> {
  const window = vscode.window as unknown as Record<Prompt, unknown>;
  const original = window[name];
  window[name] = stub;
  try {
    return await body();
  } finally {
    window[name] = original;
  }
}

/** Runs `body` and collects the error messages it shows (they are answered with no choice). */
export async function collectErrors<R>(
  body: () => Thenable<R> | Promise<R>,
): Promise<{ result: R; errors: string[] }> {
  const errors: string[] = [];
  const result = await withStubbedPrompt(
    'showErrorMessage',
    async (message: string) => {
      errors.push(message);
      return undefined;
    },
    body,
  );
  return { result, errors };
}

const FAST_SETTINGS: Record<string, unknown> = {
  pollIntervalSeconds: 1,
  maxPollIntervalSeconds: 5,
  unfocusedPollMultiplier: 1,
};

/** Polls every second (the headless window is usually unfocused); returns a function restoring the settings. */
export async function useFastPolling(): Promise<() => Promise<void>> {
  const config = vscode.workspace.getConfiguration('creatorBulkJobs');
  const previous = Object.keys(FAST_SETTINGS).map((key) => [key, config.inspect(key)?.globalValue] as const);
  for (const [key, value] of Object.entries(FAST_SETTINGS)) {
    await config.update(key, value, vscode.ConfigurationTarget.Global);
  }
  return async () => {
    for (const [key, value] of previous) {
      await vscode.workspace
        .getConfiguration('creatorBulkJobs')
        .update(key, value, vscode.ConfigurationTarget.Global);
    }
  };
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace
    .getConfiguration('creatorBulkJobs')
    .update(key, value, vscode.ConfigurationTarget.Global);
}

export function waitForJob(
  api: TestApi,
  key: string,
  done: (job: TrackedJob) => boolean,
  what: string,
  timeoutMs?: number,
): Promise<TrackedJob> {
  return waitFor(
    () => {
      const job = api.services.jobs.get(key);
      return job && done(job) ? job : undefined;
    },
    what,
    timeoutMs,
  );
}

/** Completed and downloaded. */
export function waitForResult(api: TestApi, key: string, timeoutMs?: number): Promise<TrackedJob> {
  return waitForJob(
    api,
    key,
    (job) => job.state === 'completed' && job.download === 'ready',
    `job ${key} completed and downloaded`,
    timeoutMs,
  );
}

export async function jobsTree(): Promise<JobsTree> {
  return (await activateExtension()).jobsTree;
}

/** Every node of the tree, depth first, through the provider's own getChildren. */
export async function allTreeNodes(tree: JobsTree, parent?: TreeNode): Promise<TreeNode[]> {
  const children = (await tree.provider.getChildren(parent)) ?? [];
  const nested = await Promise.all(children.map((child) => allTreeNodes(tree, child)));
  return children.flatMap((child, i) => [child, ...nested[i]]);
}

export interface SignedInSimulator {
  sim: Simulator;
  api: TestApi;
  accountId: string;
}

/**
 * The set-up most suites share, as mocha hooks of the calling `describe`: before, a simulator, the
 * activated extension, fast polling and an account signed in to the simulator (handed to `ready`);
 * after, editors closed, signed out, settings restored and the simulator closed.
 */
export function useSignedInSimulator(
  options: SimulatorOptions,
  ready: (signedIn: SignedInSimulator) => void,
): void {
  let sim: Simulator | undefined;
  let accountId: string | undefined;
  let restoreSettings: (() => Promise<void>) | undefined;
  before(async () => {
    sim = await startSimulator(options);
    const api = await activateExtension();
    restoreSettings = await useFastPolling();
    accountId = await signInToSimulator(sim);
    ready({ sim, api, accountId });
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    if (accountId) {
      await signOut(accountId);
    }
    await restoreSettings?.();
    await sim?.close();
  });
}
