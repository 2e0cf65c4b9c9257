// Signed-in accounts: the non-secret list in a KeyValueStore (globalState), the credentials in a
// SecretStore (SecretStorage), and one cached client per account so that every caller of an
// account shares one token provider (one refresh in flight per account).
import { Disposable, Emitter, type Event } from '../core/lifecycle';
import {
  silentLogger,
  systemClock,
  type Clock,
  type KeyValueStore,
  type Logger,
  type SecretStore,
} from '../core/ports';
import type { AccountsApi } from './accountsApi';
import type { BulkReadApi, TokenProvider } from '../zoho/api';
import type * as AuthModule from '../zoho/auth';
import type * as ClientModule from '../zoho/client';
import { resolveEndpoints } from '../zoho/dataCentres';
import { ZohoError } from '../zoho/errors';
import type { Account, AccountTarget } from '../zoho/types';
import { ACCOUNTS_KEY, parseCredentials, secretKey, type Credentials } from './credentials';
import { accessTokenKey, SecretTokenShare } from './tokenShare';

export interface AccountStoreOptions {
  storage: KeyValueStore;
  secrets: SecretStore;
  logger?: Logger;
  clock?: Clock;
  /**
   * The global storage folder every window shares: with it, a refresh-token account's access token
   * is shared by the windows (tokenShare.ts) instead of minted by each.
   */
  lockDir?: string;
}

/** The data centre, or the custom host (resolving also validates it: https, or http on loopback only). */
function placeOf(target: AccountTarget): string {
  return target.dataCentre === 'custom' ? new URL(resolveEndpoints(target).apiBase).host : target.dataCentre;
}

/** Stable id of the account at `target`: data centre (or custom host) plus owner, lower-cased. */
export function accountIdFor(target: AccountTarget): string {
  return `${placeOf(target)}/${target.owner}`.toLowerCase();
}

export function defaultLabel(target: AccountTarget): string {
  return `${target.owner} (${placeOf(target)})`;
}

export class AccountStore extends Disposable implements AccountsApi {
  private readonly changed = this.register(new Emitter<void>());
  readonly onDidChange: Event<void> = this.changed.event;
  private readonly credentialsEmitter = this.register(new Emitter<string>());
  /** The id of an account whose credentials were stored anew, here or in another window. */
  readonly onDidChangeCredentials: Event<string> = this.credentialsEmitter.event;
  private readonly clients = new Map<string, Promise<BulkReadApi>>();
  /**
   * The secret this store last wrote per account, to tell its own change events from others'.
   * `#` fields: not reachable at run time by code outside this class (e.g. through a test API).
   */
  readonly #written = new Map<string, string>();
  private readonly storage: KeyValueStore;
  readonly #secrets: SecretStore;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly lockDir?: string;

  constructor(options: AccountStoreOptions) {
    super();
    this.storage = options.storage;
    this.#secrets = options.secrets;
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.lockDir = options.lockDir;
  }

  /** Read on every call: another window may have changed the shared globalState. */
  list(): Account[] {
    const stored = this.storage.get<Account[]>(ACCOUNTS_KEY);
    return Array.isArray(stored) ? stored.map((account) => ({ ...account })) : [];
  }

  get(id: string): Account | undefined {
    return this.list().find((account) => account.id === id);
  }

  /**
   * Stores the credentials and the account. Signing in again to the same host and owner replaces
   * the credentials instead of adding a second account. `verifiedClient`, a client already built
   * by `createClient` for these credentials, is kept so its fresh access token is reused.
   */
  async addAccount(
    target: AccountTarget,
    credentials: Credentials,
    label?: string,
    verifiedClient?: BulkReadApi,
  ): Promise<Account> {
    const id = accountIdFor(target);
    const account: Account = {
      id,
      label: label ?? defaultLabel(target),
      credentialKind: credentials.kind,
      dataCentre: target.dataCentre,
      family: target.family,
      owner: target.owner,
      ...(target.customHost ? { customHost: resolveEndpoints(target).apiBase } : {}),
      ...(target.customAccountsHost ? { customAccountsHost: resolveEndpoints(target).accountsBase } : {}),
    };
    // Secret first: an account in the list without its secret would look signed in but fail.
    const secret = JSON.stringify(credentials);
    this.#written.set(id, secret);
    await this.#secrets.store(secretKey(id), secret);
    const others = this.list().filter((existing) => existing.id !== id);
    await this.storage.update(ACCOUNTS_KEY, [...others, account]);
    if (verifiedClient) {
      this.clients.set(id, Promise.resolve(verifiedClient));
    } else {
      this.clients.delete(id);
    }
    this.changed.fire();
    this.credentialsEmitter.fire(id);
    return account;
  }

  /** Forgets the account and deletes its secret. Unknown ids are ignored. */
  async removeAccount(id: string): Promise<void> {
    this.clients.delete(id);
    this.#written.delete(id);
    await this.#secrets.delete(secretKey(id));
    // Under the share's lock: a window minting right now writes nothing once the credentials are gone.
    await (this.lockDir === undefined
      ? this.#secrets.delete(accessTokenKey(id))
      : this.tokenShare(id, this.lockDir).forget());
    await this.storage.update(
      ACCOUNTS_KEY,
      this.list().filter((account) => account.id !== id),
    );
    this.changed.fire();
  }

  clientFor(accountId: string): Promise<BulkReadApi> {
    let client = this.clients.get(accountId);
    if (!client) {
      client = this.buildClient(accountId);
      this.clients.set(accountId, client);
      // A failed build (no secret yet, say) must not stick: the next call tries again.
      client.catch(() => {
        if (this.clients.get(accountId) === client) {
          this.clients.delete(accountId);
        }
      });
    }
    return client;
  }

  /**
   * The secret of `accountId` changed, maybe in another window: rebuild its client on next use.
   * The echo of this store's own write is ignored, so a just-verified client (and its fresh access
   * token) survives the sign-in.
   */
  async credentialsChanged(accountId: string): Promise<void> {
    const current = await this.#secrets.get(secretKey(accountId));
    if (current !== undefined && current === this.#written.get(accountId)) {
      return;
    }
    this.#written.delete(accountId);
    this.clients.delete(accountId);
    this.changed.fire();
    this.credentialsEmitter.fire(accountId);
  }

  /** A client for credentials that are not stored (yet): used to verify them at sign-in. */
  createClient(target: AccountTarget, credentials: Credentials): BulkReadApi {
    // ../zoho/client.ts, ../zoho/auth.ts and what they use load with the first client, not at window
    // start (esbuild.js, buildSplit).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { BulkReadClient } = require('../zoho/client') as typeof ClientModule;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const auth = require('../zoho/auth') as typeof AuthModule;
    return new BulkReadClient({
      target,
      tokens: this.tokenProvider(auth, target, credentials),
      logger: this.logger,
      clock: this.clock,
    });
  }

  protected override onDispose(): void {
    this.clients.clear();
  }

  private async buildClient(accountId: string): Promise<BulkReadApi> {
    const account = this.get(accountId);
    if (!account) {
      throw new ZohoError({
        kind: 'authFailed',
        message: `No signed-in account "${accountId}". Sign in to it again, or choose another account.`,
      });
    }
    const credentials = parseCredentials(await this.#secrets.get(secretKey(accountId)));
    if (!credentials) {
      throw new ZohoError({
        kind: 'authFailed',
        message: `No credentials are stored for ${account.label}. Sign in to it again.`,
      });
    }
    return this.createClient(account, credentials);
  }

  private tokenProvider(
    auth: typeof AuthModule,
    target: AccountTarget,
    credentials: Credentials,
  ): TokenProvider {
    if (credentials.kind === 'accessToken') {
      return new auth.StaticTokenProvider(credentials.accessToken);
    }
    return new auth.RefreshTokenProvider({
      accountsBase: resolveEndpoints(target).accountsBase,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      refreshToken: credentials.refreshToken,
      clock: this.clock,
      logger: this.logger,
      share: this.lockDir === undefined ? undefined : this.tokenShare(accountIdFor(target), this.lockDir),
    });
  }

  private tokenShare(accountId: string, lockDir: string): SecretTokenShare {
    return new SecretTokenShare(
      this.#secrets,
      accountId,
      lockDir,
      async () => (await this.#secrets.get(secretKey(accountId))) !== undefined,
    );
  }
}
