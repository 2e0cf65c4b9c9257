// Signed-in accounts in VS Code's Accounts menu, under "Zoho Creator", with Sign Out there. The
// sessions carry no token: any extension may ask for a session of a provider, and our secrets stay
// in SecretStorage (GUIDE: secrets never reach anything another extension can reach). Signing in
// from the Accounts menu runs the guided sign-in; signing out runs our Sign Out (which names what
// it deletes).
import * as vscode from 'vscode';
import type { Services } from '../services';
import type { Account } from '../zoho/types';
import { Disposable, Emitter } from '../core/lifecycle';

export const AUTH_PROVIDER_ID = 'zoho-creator';
export const AUTH_PROVIDER_LABEL = 'Zoho Creator';

function sessionOf(account: Account): vscode.AuthenticationSession {
  return { id: account.id, accessToken: '', account: { id: account.id, label: account.label }, scopes: [] };
}

export class ZohoAuthenticationProvider extends Disposable implements vscode.AuthenticationProvider {
  private readonly changeEmitter = this.register(
    new Emitter<vscode.AuthenticationProviderAuthenticationSessionsChangeEvent>(),
  );
  readonly onDidChangeSessions = this.changeEmitter.event;
  private known: Map<string, Account>;

  constructor(private readonly services: Services) {
    super();
    this.known = this.snapshot();
    this.register(
      vscode.authentication.registerAuthenticationProvider(AUTH_PROVIDER_ID, AUTH_PROVIDER_LABEL, this, {
        supportsMultipleAccounts: true,
      }),
    );
    this.register(services.accounts.onDidChange(() => this.accountsChanged()));
  }

  getSessions(): Promise<vscode.AuthenticationSession[]> {
    return Promise.resolve(this.services.accounts.list().map(sessionOf));
  }

  async createSession(): Promise<vscode.AuthenticationSession> {
    const id = await vscode.commands.executeCommand<string | undefined>(
      'creatorBulkJobs.signInWithAccessToken',
    );
    const account = id === undefined ? undefined : this.services.accounts.get(id);
    if (!account) {
      throw new Error('Sign-in was cancelled.');
    }
    return sessionOf(account);
  }

  async removeSession(sessionId: string): Promise<void> {
    await vscode.commands.executeCommand('creatorBulkJobs.signOut', sessionId);
  }

  private snapshot(): Map<string, Account> {
    return new Map(this.services.accounts.list().map((account) => [account.id, account]));
  }

  private accountsChanged(): void {
    const now = this.snapshot();
    const added = [...now.values()].filter((account) => !this.known.has(account.id)).map(sessionOf);
    const removed = [...this.known.values()].filter((account) => !now.has(account.id)).map(sessionOf);
    this.known = now;
    if (added.length > 0 || removed.length > 0) {
      this.changeEmitter.fire({ added, removed, changed: [] });
    }
  }
}
