// Sign-in, sign-out and where secrets end up, inside a real extension host against the simulator.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import { DEMO, startSimulator, type Simulator } from '../simulator';

const EXTENSION_ID = 'creatorbulkjobs.creator-bulk-jobs';
const SECRET_PREFIX = 'creatorBulkJobs.credentials.';

async function testApi(): Promise<TestApi> {
  const extension = vscode.extensions.getExtension<TestApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is loaded`);
  return extension.activate();
}

/** Waits for a condition the extension reaches asynchronously (a deadline, not a timing assertion). */
async function until<T>(
  what: string,
  probe: () => T | undefined | false | Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await probe();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      assert.fail(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Shown {
  message: string;
  items: string[];
  detail?: string;
}

type MessageKind = 'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage';

/** Replaces a window.show*Message on the shared API object; answers with `answer`. */
function capture(kind: MessageKind, answer?: string): { shown: Shown[]; restore(): void } {
  const win = vscode.window as unknown as Record<string, unknown>;
  const original = win[kind];
  const shown: Shown[] = [];
  win[kind] = (message: string, ...rest: unknown[]) => {
    const options = rest.find((r): r is vscode.MessageOptions => typeof r === 'object' && r !== null);
    shown.push({
      message,
      items: rest.filter((r): r is string => typeof r === 'string'),
      detail: options?.detail,
    });
    return Promise.resolve(answer);
  };
  return { shown, restore: () => (win[kind] = original) };
}

/** Records `setContext` calls made through the shared API object. */
function captureContext(): { values: Array<[string, unknown]>; restore(): void } {
  const commands = vscode.commands as unknown as Record<string, unknown>;
  const original = vscode.commands.executeCommand;
  const values: Array<[string, unknown]> = [];
  commands.executeCommand = (command: string, ...args: unknown[]) => {
    if (command === 'setContext') {
      values.push([args[0] as string, args[1]]);
    }
    return original.call(vscode.commands, command, ...args);
  };
  return { values, restore: () => (commands.executeCommand = original) };
}

/** Everything a setting could hold: every key of our section as inspect() sees it. */
function allSettingsText(): string {
  const config = vscode.workspace.getConfiguration('creatorBulkJobs');
  const names = Object.keys(
    (
      vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
        contributes: { configuration: { properties: object } };
      }
    ).contributes.configuration.properties,
  ).map((key) => key.replace(/^creatorBulkJobs\./, ''));
  return JSON.stringify(names.map((name) => config.inspect(name)));
}

function globalStateText(api: TestApi): string {
  return JSON.stringify(api.globalState.keys().map((key) => [key, api.globalState.get(key)]));
}

/** The settings files VS Code writes: user settings (next to globalStorage) and the workspace's. */
function settingsFilesText(api: TestApi): string {
  const files = [path.join(api.services.storageDir, '..', '..', 'settings.json')];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    files.push(path.join(folder.uri.fsPath, '.vscode', 'settings.json'));
  }
  return files
    .filter((file) => fs.existsSync(file))
    .map((file) => fs.readFileSync(file, 'utf8'))
    .join('\n');
}

function logText(api: TestApi): string {
  const file = api.logFile();
  return file && fs.existsSync(file.fsPath) ? fs.readFileSync(file.fsPath, 'utf8') : '';
}

describe('Sign-in and sign-out', () => {
  let api: TestApi;
  let sim: Simulator;
  let host: string;
  const restores: Array<() => void> = [];

  before(async () => {
    api = await testApi();
    sim = await startSimulator({ ordersRows: 2000, customersRows: 50, jobDurationMs: 1000 });
    host = new URL(sim.url).host;
  });

  afterEach(() => {
    for (const restore of restores.splice(0)) {
      restore();
    }
  });

  after(async () => {
    for (const account of api.accounts.list().filter((a) => a.customHost === sim.url)) {
      await api.services.jobs.forgetAccount(account.id);
      await api.accounts.removeAccount(account.id);
    }
    await sim.close();
  });

  function quiet(kind: MessageKind, answer?: string): Shown[] {
    const captured = capture(kind, answer);
    restores.push(captured.restore);
    return captured.shown;
  }

  it('keeps an access token in SecretStorage only: not in settings, globalState, the log or the result', async () => {
    const token = 'it-access-token-5f1e2d3c';
    sim.addAccessToken(token);
    const infos = quiet('showInformationMessage');

    const id = await vscode.commands.executeCommand<string>('creatorBulkJobs.signInWithAccessToken', {
      dataCentre: 'custom',
      customHost: sim.url,
      owner: DEMO.owner,
      token,
    });

    assert.ok(id, 'the command resolves with the account id');
    assert.ok(!id.includes(token));
    const account = api.accounts.get(id);
    assert.strictEqual(account?.owner, DEMO.owner);
    assert.strictEqual(account?.credentialKind, 'accessToken');
    assert.ok(infos.some((s) => s.message === `Signed in to ${DEMO.owner} (${host}).`));

    const secret = await api.readSecret(`${SECRET_PREFIX}${id}`);
    assert.ok(secret?.includes(token), 'the token is in SecretStorage');
    assert.ok(!globalStateText(api).includes(token), 'the token leaked into globalState');
    assert.ok(!allSettingsText().includes(token), 'the token leaked into a setting');
    assert.ok(!settingsFilesText(api).includes(token), 'the token leaked into a settings file');

    const log = await until('the sign-in line in the log file', () => {
      const text = logText(api);
      return text.includes(`Signed in to ${DEMO.owner} (${host}).`) && text;
    });
    assert.ok(!log.includes(token), 'the token leaked into the log file');
    // The account really works with the stored token.
    const client = await api.services.accounts.clientFor(id);
    assert.ok((await client.listApplications()).some((app) => app.link_name === DEMO.app));
  });

  it('signs in with a Self Client grant code exchanged for a refresh token, replacing the earlier credentials', async () => {
    quiet('showInformationMessage');
    const code = sim.issueGrantCode();
    const refreshesBefore = sim.refreshCount;

    const id = await vscode.commands.executeCommand<string>('creatorBulkJobs.signInWithRefreshToken', {
      customHost: sim.url,
      owner: DEMO.owner,
      clientId: DEMO.clientId,
      clientSecret: DEMO.clientSecret,
      grantCode: code,
    });

    assert.ok(id);
    assert.strictEqual(api.accounts.get(id)?.credentialKind, 'refreshToken');
    assert.strictEqual(
      api.accounts.list().filter((a) => a.customHost === sim.url && a.owner === DEMO.owner).length,
      1,
      'signing in again to the same account replaces it',
    );
    const stored = JSON.parse((await api.readSecret(`${SECRET_PREFIX}${id}`)) ?? '{}') as Record<
      string,
      string
    >;
    assert.strictEqual(stored.kind, 'refreshToken');
    assert.ok(
      stored.refreshToken && stored.refreshToken !== code,
      'a refresh token, not the grant code, is kept',
    );
    const client = await api.services.accounts.clientFor(id);
    assert.ok((await client.listApplications()).length > 0);
    assert.ok(sim.refreshCount > refreshesBefore, 'the refresh token was used to get an access token');

    for (const secret of [DEMO.clientSecret, stored.refreshToken, code]) {
      assert.ok(!globalStateText(api).includes(secret), 'a secret leaked into globalState');
      assert.ok(!allSettingsText().includes(secret), 'a secret leaked into a setting');
    }
    const log = await until('the second sign-in line', () => {
      const text = logText(api);
      return text.split(`Signed in to ${DEMO.owner} (${host}).`).length > 2 && text;
    });
    for (const secret of [DEMO.clientSecret, stored.refreshToken, code]) {
      assert.ok(!log.includes(secret), 'a secret leaked into the log file');
    }
  });

  it('asks data centre, custom host, URL style, owner and token in the palette, hiding the token', async () => {
    quiet('showInformationMessage');
    const token = 'it-palette-token-4e4e';
    sim.addAccessToken(token);
    const win = vscode.window as unknown as Record<string, unknown>;
    const originalPick = win.showQuickPick;
    const originalInput = win.showInputBox;
    restores.push(() => {
      win.showQuickPick = originalPick;
      win.showInputBox = originalInput;
    });
    const picks: string[][] = [];
    win.showQuickPick = async (items: vscode.QuickPickItem[]) => {
      picks.push(items.map((item) => item.label));
      return items.find((item) => item.label === 'Custom host') ?? items.find((item) => item.label === 'B');
    };
    const boxes: vscode.InputBoxOptions[] = [];
    const answers = [sim.url, DEMO.owner, token];
    win.showInputBox = async (options: vscode.InputBoxOptions) => {
      boxes.push(options);
      return answers.shift();
    };

    const id = await vscode.commands.executeCommand<string>('creatorBulkJobs.signInWithAccessToken');

    assert.ok(id && api.accounts.get(id)?.customHost === sim.url);
    assert.strictEqual(picks[0].length, 10, 'nine data centres and the custom host');
    assert.deepStrictEqual(picks[0].slice(0, 3), ['US', 'EU', 'IN']);
    assert.deepStrictEqual(picks[1], ['B', 'A'], 'URL style asked for a custom host, B first');
    const [hostBox, ownerBox, tokenBox] = boxes;
    assert.match(String(await hostBox.validateInput?.('http://creator.example.com')), /must use https/);
    assert.strictEqual(await hostBox.validateInput?.('https://creator.example.com'), undefined);
    assert.match(String(await ownerBox.validateInput?.('jane/../doe')), /letters, digits/);
    assert.strictEqual(await ownerBox.validateInput?.('jane_doe'), undefined);
    assert.strictEqual(tokenBox.password, true, 'the token is typed into a password box');
    assert.strictEqual(tokenBox.ignoreFocusOut, true);
    assert.ok(await tokenBox.validateInput?.(''), 'an empty token is refused in the box');
  });

  it('refuses a token Zoho rejects (1030) and keeps nothing', async () => {
    const errors = quiet('showErrorMessage');
    const owner = 'refused_owner';

    const id = await vscode.commands.executeCommand<string | undefined>(
      'creatorBulkJobs.signInWithAccessToken',
      {
        customHost: sim.url,
        owner,
        token: 'it-not-a-valid-token-77',
      },
    );

    assert.strictEqual(id, undefined);
    assert.strictEqual(errors.length, 1);
    assert.match(
      errors[0].message,
      new RegExp(`^Sign-in to ${owner} \\(${host.replace(/\./g, '\\.')}\\) failed: `),
    );
    assert.ok(!errors[0].message.includes('it-not-a-valid-token-77'), 'the error message shows the token');
    assert.ok(!api.accounts.list().some((a) => a.owner === owner), 'no account was stored');
    const expectedId = `${host}/${owner}`;
    assert.strictEqual(
      await api.readSecret(`${SECRET_PREFIX}${expectedId}`),
      undefined,
      'no secret was stored',
    );
  });

  it('accepts a token that only lacks the app-listing scope, and says which scope is missing', async () => {
    const warnings = quiet('showWarningMessage');
    const token = 'it-bulk-only-token-31';
    sim.addAccessToken(token, ['ZohoCreator.bulk.CREATE', 'ZohoCreator.bulk.READ']);

    const id = await vscode.commands.executeCommand<string>('creatorBulkJobs.signInWithAccessToken', {
      customHost: sim.url,
      owner: DEMO.owner,
      token,
    });

    assert.ok(id && api.accounts.get(id));
    assert.strictEqual(warnings.length, 1);
    assert.match(warnings[0].message, /lacks the scope ZohoCreator\.dashboard\.READ/);
  });

  it('signs out after a modal confirmation that mentions the jobs, removing secret, account and jobs', async () => {
    quiet('showInformationMessage');
    const id = await vscode.commands.executeCommand<string>('creatorBulkJobs.signInWithAccessToken', {
      customHost: sim.url,
      owner: DEMO.owner,
      token: DEMO.accessToken,
    });
    const job = await api.services.jobs.createJob(
      id,
      { owner: DEMO.owner, app: DEMO.app, report: 'All_Orders' },
      {},
    );
    assert.ok(api.services.jobs.get(job.key));

    const declined = capture('showWarningMessage', undefined);
    const kept = await vscode.commands.executeCommand<boolean>('creatorBulkJobs.signOut', id);
    declined.restore();
    assert.strictEqual(kept, false);
    assert.ok(api.accounts.get(id) && api.services.jobs.get(job.key), 'declining keeps everything');

    const warnings = quiet('showWarningMessage', 'Sign Out');
    const signedOut = await vscode.commands.executeCommand<boolean>('creatorBulkJobs.signOut', id);

    assert.strictEqual(signedOut, true);
    assert.match(warnings[0].message, /^Sign out of demo/);
    assert.match(warnings[0].detail ?? '', /1 tracked job is forgotten/);
    assert.strictEqual(api.accounts.get(id), undefined);
    assert.strictEqual(await api.readSecret(`${SECRET_PREFIX}${id}`), undefined);
    assert.strictEqual(api.services.jobs.get(job.key), undefined);
    assert.ok(!api.services.jobs.jobs().some((j) => j.accountId === id));
  });

  it('keeps the signedIn context (which switches the welcome view) in step with the accounts', async () => {
    quiet('showInformationMessage');
    const others = api.accounts.list().filter((a) => a.customHost !== sim.url);
    const contexts = captureContext();
    restores.push(contexts.restore);
    const signedIn = () =>
      contexts.values.filter(([key]) => key === 'creatorBulkJobs.signedIn').map(([, v]) => v);

    const id = await vscode.commands.executeCommand<string>('creatorBulkJobs.signInWithAccessToken', {
      customHost: sim.url,
      owner: DEMO.owner,
      token: DEMO.accessToken,
    });
    assert.strictEqual(signedIn().at(-1), true);

    // Sign out of everything this suite made; other suites' accounts keep the key true.
    quiet('showWarningMessage', 'Sign Out');
    await vscode.commands.executeCommand('creatorBulkJobs.signOut', id);
    assert.strictEqual(signedIn().at(-1), others.length > 0);
  });

  it('explains how to start the simulator when nothing listens at creatorBulkJobs.simulatorUrl', async () => {
    const errors = quiet('showErrorMessage');
    const config = vscode.workspace.getConfiguration('creatorBulkJobs');
    // A port nothing listens on: the suite's own simulator, closed.
    const closed = await startSimulator({ ordersRows: 10, customersRows: 10 });
    await closed.close();
    await config.update('simulatorUrl', closed.url, vscode.ConfigurationTarget.Global);
    try {
      const id = await vscode.commands.executeCommand<string | undefined>('creatorBulkJobs.useSimulator');
      assert.strictEqual(id, undefined);
      assert.strictEqual(errors.length, 1);
      assert.match(
        errors[0].message,
        new RegExp(`No simulator answers at ${closed.url.replace(/\./g, '\\.')}.*npm run sim`),
      );

      quiet('showInformationMessage');
      await config.update('simulatorUrl', sim.url, vscode.ConfigurationTarget.Global);
      const simId = await vscode.commands.executeCommand<string>('creatorBulkJobs.useSimulator');
      assert.strictEqual(api.accounts.get(simId)?.owner, 'demo');
    } finally {
      await config.update('simulatorUrl', undefined, vscode.ConfigurationTarget.Global);
    }
  });
});
