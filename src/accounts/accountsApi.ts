// What the views and commands may ask of the signed-in accounts (implemented by ./accountStore.ts).
import type { Event } from '../core/lifecycle';
import type { BulkReadApi } from '../zoho/api';
import type { Account } from '../zoho/types';

export interface AccountsApi {
  list(): Account[];
  get(id: string): Account | undefined;
  readonly onDidChange: Event<void>;
  /** A client bound to the account's host, using its credentials from SecretStorage. */
  clientFor(accountId: string): Promise<BulkReadApi>;
}
