// startSimulator: a Zoho Creator Bulk Read API look-alike on 127.0.0.1 (see README.md).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALL_SCOPES, DEMO, type Simulator, type SimulatorOptions, type SimulatorSwitches } from './api';
import { AuthStore } from './auth';
import { ChangingReport } from './changes';
import { SimClock } from './clock';
import { buildCatalog } from './data';
import { FaultQueue } from './faults';
import { JobStore } from './jobs';
import { Limits } from './limits';
import { handle, type SimContext } from './routes';

export { ALL_SCOPES, DEMO };
export type * from './api';

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clock = new SimClock();
  const switches: SimulatorSwitches = {
    statusProfile: options.statusProfile ?? 'sample',
    jobDurationMs: options.jobDurationMs ?? 3000,
    failJobs: false,
    downloadFormat: 'zip',
    recordCursorHeader: true,
    downloadBehaviour: 'normal',
    slowBytesPerSecond: 64 * 1024,
    throttles: options.throttles ?? true,
    dailyLimit: options.dailyLimit,
    dailyLimitStyle: 'code4000',
    retryAfter: true,
    unsupportedReportHttpStatus: 400,
    emptyResult: 'headerOnly',
  };
  const auth = new AuthStore(clock, options.tokenLifetimeSeconds ?? 3600);
  const ctx: SimContext = {
    url: '',
    clock,
    switches,
    auth,
    jobs: new JobStore(clock, switches),
    limits: new Limits(clock, switches),
    faults: new FaultQueue(),
    catalog: buildCatalog({
      seed: options.seed ?? 42,
      ordersRows: options.ordersRows ?? 250000,
      customersRows: options.customersRows ?? 1000,
      ticketsRows: options.ticketsRows,
      clock,
    }),
    requests: [],
  };
  const server = createServer((req, res) => {
    handle(ctx, req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  ctx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: ctx.url,
    clock,
    switches,
    requests: ctx.requests,
    inject: (fault) => ctx.faults.add(fault),
    addAccessToken: (token, scopes, lifetimeSeconds) => auth.addAccessToken(token, scopes, lifetimeSeconds),
    expireAccessToken: (token) => auth.expireAccessToken(token),
    issueGrantCode: () => auth.issueGrantCode(),
    changeReport: (app, report, change) => {
      const found = ctx.catalog.find((a) => a.link_name === app)?.reports.find((r) => r.link_name === report);
      if (!(found instanceof ChangingReport)) {
        throw new Error(`${app}/${report} is not a report that changes (help-desk/All_Tickets is).`);
      }
      return found.apply(change);
    },
    get refreshCount() {
      return auth.refreshCount;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
