// The palette lists only what can apply (issue 17.10): every command the extension contributes is
// hidden by a `when` of menus.commandPalette unless it always applies, every `when` names a key
// something sets, and Compare with Previous Run (issue 20) shows only once a saved export has a run
// with a previous one, also when that run was recorded by another window.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Emitter } from '../../../src/core/lifecycle';
import { systemClock } from '../../../src/core/ports';
import { RunHistory, type RunRecord } from '../../../src/exports/runHistory';
import type { Services } from '../../../src/services';
import { CommandContexts, commandContexts } from '../../../src/views/commandContexts';
import { SharedStorage } from '../jobs/sharedStorage';

const ROOT = path.join(__dirname, '..', '..', '..');

interface Manifest {
  contributes: {
    commands: { command: string; title: string }[];
    menus: { commandPalette: { command: string; when?: string }[] };
  };
}

const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;

/** Commands that apply whatever is tracked: signing in (another account), the view, the log. */
const ALWAYS_LISTED = [
  'creatorBulkJobs.signInWithAccessToken',
  'creatorBulkJobs.signInWithRefreshToken',
  'creatorBulkJobs.showJobs',
  'creatorBulkJobs.showLog',
];

/** Keys extension.ts sets itself (SIGNED_IN_CONTEXT, SIMULATOR_CONTEXT). */
const OTHER_KEYS = ['creatorBulkJobs.signedIn', 'creatorBulkJobs.simulatorEnabled'];

function run(id: string, startedAt: number): RunRecord {
  return {
    id,
    definition: 'Nightly orders',
    accountId: 'acc-1',
    report: 'zylker-store / All_Orders',
    state: 'completed',
    mode: 'full',
    startedAt,
    finishedAt: startedAt + 1000,
    durationMs: 1000,
    records: 10,
    bytes: 100,
    statusCalls: 1,
    creates: 1,
  };
}

/** Services with nothing tracked: no jobs, no exports (their events never fire here). */
function servicesWith(history: RunHistory | undefined): Services {
  const never = new Emitter<unknown>();
  return {
    jobs: { jobs: () => [], onDidChangeJob: never.event },
    exports: { exports: () => [], onDidChangeExport: never.event },
    history,
  } as unknown as Services;
}

describe('Command palette context keys', () => {
  it('hides every contributed command with a `when`, except the few that always apply', () => {
    const when = new Map(manifest.contributes.menus.commandPalette.map((m) => [m.command, m.when]));
    const unhidden = manifest.contributes.commands
      .map((c) => c.command)
      .filter((id) => !ALWAYS_LISTED.includes(id) && !when.get(id));
    assert.deepEqual(unhidden, [], 'listed in the palette with nothing tracked');
  });

  it('names in every `when` a key that is set', () => {
    const set = [
      ...Object.keys(commandContexts(servicesWith(undefined), 0)).map((key) => `creatorBulkJobs.${key}`),
      ...OTHER_KEYS,
    ];
    for (const { command, when } of manifest.contributes.menus.commandPalette) {
      for (const key of when?.match(/creatorBulkJobs\.\w+/g) ?? []) {
        assert.ok(set.includes(key), `${command}: ${key} is never set`);
      }
    }
  });

  it('registers every contributed command, and contributes every registered one', () => {
    const source = readFileSync(path.join(ROOT, 'src', 'commands', 'registerCommands.ts'), 'utf8');
    const registered = [...source.matchAll(/\(\s*'(creatorBulkJobs\.\w+)'/g)].map((m) => m[1]).sort();
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(registered, contributed);
  });

  describe('Compare with Previous Run', () => {
    let shared: SharedStorage;
    const open: { dispose(): Promise<void> }[] = [];
    beforeEach(async () => {
      shared = await SharedStorage.create();
    });
    afterEach(async () => {
      await Promise.all(open.splice(0).map((item) => item.dispose()));
      await shared.dispose();
    });

    function window(): RunHistory {
      const history = new RunHistory(shared.dir, systemClock);
      open.push(history);
      return history;
    }

    it('is listed once a saved export has two runs, also when another window recorded the second', async () => {
      const here = window();
      const set = new Map<string, boolean>();
      open.unshift(new CommandContexts(servicesWith(here), (key, value) => set.set(key, value)));
      assert.equal(set.get('creatorBulkJobs.hasComparableRuns'), false, 'no runs');
      await here.record(run('run-1', 1_000_000));
      assert.equal(set.get('creatorBulkJobs.hasComparableRuns'), false, 'one run: nothing to compare');
      const other = window();
      await other.record(run('run-2', 2_000_000));
      here.sync();
      assert.equal(set.get('creatorBulkJobs.hasComparableRuns'), true, 'two runs');
    });

    it('is hidden without a run history', () => {
      assert.equal(commandContexts(servicesWith(undefined), 0).hasComparableRuns, false);
    });
  });
});
