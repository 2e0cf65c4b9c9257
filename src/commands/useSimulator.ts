// Command: sign in to the local Zoho Creator simulator (setting creatorBulkJobs.simulatorUrl)
// as its demo account, so every feature can be tried without a Zoho account.
import * as vscode from 'vscode';
import type { AccountStore } from '../accounts/accountStore';
import { readSimulatorUrl } from '../host/settings';
import type { Services } from '../services';
import { isZohoError } from '../zoho/errors';
import { validateCustomHost, verifyAndStore } from './signInSteps';

export const SIMULATOR_OWNER = 'demo';
export const SIMULATOR_TOKEN = 'demo-token';

/** The handler of 'creatorBulkJobs.useSimulator' (registered, and loaded on first use, by registerCommands.ts). */
export function useSimulatorCommand(services: Services, accounts: AccountStore) {
  return async (): Promise<string | undefined> => {
    const url = readSimulatorUrl();
    const problem = validateCustomHost(url);
    if (problem) {
      void openSettingsOn(`The setting creatorBulkJobs.simulatorUrl is unusable: ${problem}`);
      return undefined;
    }
    const account = await verifyAndStore(
      accounts,
      services.logger,
      { dataCentre: 'custom', customHost: url, family: 'B', owner: SIMULATOR_OWNER },
      { kind: 'accessToken', accessToken: SIMULATOR_TOKEN },
      {
        explain: (error) =>
          isZohoError(error, 'network')
            ? `No simulator answers at ${url}. Start it with "npm run sim" in the extension's source folder (or "npm run demo"), or point creatorBulkJobs.simulatorUrl at a running one.`
            : undefined,
      },
    );
    return account?.id;
  };
}

async function openSettingsOn(message: string): Promise<void> {
  const action = await vscode.window.showErrorMessage(message, 'Open Settings');
  if (action === 'Open Settings') {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'creatorBulkJobs.simulatorUrl');
  }
}
