// runGuided and textStep with a scripted user in place of VS Code's quick inputs: what each box
// shows (title, "n/N", the value kept, the problem), Back, cancel, and Try Again after a refusal.
import * as assert from 'assert';
import {
  reopenWithProblem,
  runGuided,
  runPlanned,
  textStep,
  type GuidedFlow,
  type Refusal,
} from '../../../src/commands/guided';
import {
  FlowAction,
  type FlowUi,
  type InputOptions,
  type PickOptions,
  type Place,
  type StepProblem,
} from '../../../src/commands/stepFlow';

const BACK = Symbol('back');
const CANCEL = Symbol('cancel');
type Answer = string | typeof BACK | typeof CANCEL;

interface Shown {
  place: Place;
  prompt: string;
  value: string;
  password: boolean;
  problem?: string;
  /** What validate said about answers the box refused. */
  refused: string[];
}

/** Plays the user: answers each box in turn from `answers`; records what every box showed. */
class ScriptedUser implements FlowUi {
  readonly shown: Shown[] = [];
  closed = 0;
  constructor(private readonly answers: Answer[]) {}

  input(place: Place, options: InputOptions): Promise<string> {
    const shown: Shown = {
      place,
      prompt: options.prompt,
      value: options.value ?? '',
      password: options.password ?? false,
      problem: options.problem,
      refused: [],
    };
    this.shown.push(shown);
    for (;;) {
      const answer = this.answers.shift();
      if (answer === undefined) {
        return Promise.reject(new Error(`no answer left for "${options.prompt}"`));
      }
      if (answer === BACK) {
        return Promise.reject(FlowAction.back);
      }
      if (answer === CANCEL) {
        return Promise.reject(FlowAction.cancel);
      }
      const problem = options.validate?.(answer);
      if (problem === undefined) {
        return Promise.resolve(answer.trim());
      }
      shown.refused.push(problem); // the box stays open, as VS Code's does
    }
  }

  pick<T>(_place: Place, _options: PickOptions<T & { label: string }>): Promise<T> {
    return Promise.reject(new Error('no pick in this flow'));
  }

  loading<T>(_place: Place, _placeholder: string, task: () => Promise<T>): Promise<T> {
    return task();
  }

  close(): void {
    this.closed++;
  }

  /** "prompt (n/N)" of each box shown, to compare at a glance. */
  get trail(): string[] {
    return this.shown.map(
      (box) => `${box.prompt} (${box.place.step}/${box.place.totalSteps ?? '?'})=${box.value}`,
    );
  }
}

interface TestState {
  name: string;
  secret?: string;
  count: string;
  problem?: StepProblem;
}

interface Plan {
  name: string;
  secret: string;
  count: number;
}

const count = textStep<TestState, 'count'>({
  key: 'count',
  prompt: 'Count',
  validate: (value) => (/^\d+$/.test(value.trim()) ? undefined : 'Digits only.'),
});
const secret = textStep<TestState, 'secret'>({
  key: 'secret',
  prompt: (state) => `Secret for ${state.name}`,
  secret: true,
  validate: (value) => (value.trim() ? undefined : 'Paste the secret.'),
  next: count,
});
const name = textStep<TestState, 'name'>({
  key: 'name',
  prompt: 'Name',
  validate: (value) => (value.trim() ? undefined : 'Enter a name.'),
  next: secret,
});

/** A flow of the three steps whose submit is `submit`; every refusal is recorded, not shown. */
function testFlow(
  user: ScriptedUser,
  submit: (plan: Plan) => Promise<string>,
  refusals: Array<{ error: unknown; tryAgain: () => Promise<unknown> }> = [],
): GuidedFlow<TestState, Plan, string> {
  return {
    title: 'Test Flow',
    totalSteps: () => 3,
    first: name,
    ui: () => user,
    plan: (state) => ({ name: state.name, secret: state.secret ?? '', count: Number(state.count) }),
    submit,
    refused: (error): Refusal<TestState> => {
      const reopen = reopenWithProblem<TestState>(count, 'count', `Refused: ${String(error)}`);
      return {
        step: reopen.step,
        prepare: (state) => {
          state.secret = undefined; // as a refused secret is dropped
          reopen.prepare?.(state);
        },
        show: (tryAgain) => refusals.push({ error, tryAgain }),
      };
    },
  };
}

function newState(): TestState {
  return { name: '', count: '100' };
}

describe('runGuided: one runner for the guided commands', () => {
  it('asks each step in turn with the title and "n/N", then submits the plan of the answers', async () => {
    const user = new ScriptedUser(['Ann', 's3cret', ' 5 ']);
    const submitted: Plan[] = [];
    const result = await runGuided(
      testFlow(user, async (plan) => {
        submitted.push(plan);
        return 'done';
      }),
      newState(),
    );
    assert.strictEqual(result, 'done');
    assert.deepStrictEqual(submitted, [{ name: 'Ann', secret: 's3cret', count: 5 }]);
    assert.deepStrictEqual(user.trail, ['Name (1/3)=', 'Secret for Ann (2/3)=', 'Count (3/3)=100']);
    assert.deepStrictEqual(
      user.shown.map((box) => [box.place.title, box.password]),
      [
        ['Test Flow', false],
        ['Test Flow', true],
        ['Test Flow', false],
      ],
    );
    assert.strictEqual(user.closed, 1, 'the inputs are closed once the steps are done');
  });

  it('Back reopens the previous step showing what was typed; a secret is asked afresh', async () => {
    const user = new ScriptedUser(['Ann', 's3cret', BACK, BACK, 'Bob', 'other', '7']);
    const submitted: Plan[] = [];
    await runGuided(
      testFlow(user, async (plan) => {
        submitted.push(plan);
        return 'done';
      }),
      newState(),
    );
    assert.deepStrictEqual(user.trail, [
      'Name (1/3)=',
      'Secret for Ann (2/3)=',
      'Count (3/3)=100',
      'Secret for Ann (2/3)=',
      'Name (1/3)=Ann',
      'Secret for Bob (2/3)=',
      'Count (3/3)=100',
    ]);
    assert.deepStrictEqual(submitted, [{ name: 'Bob', secret: 'other', count: 7 }]);
  });

  it('a refused answer keeps the box open with the validation message', async () => {
    const user = new ScriptedUser(['', 'Ann', 's', 'ten', '10']);
    const result = await runGuided(
      testFlow(user, async () => 'done'),
      newState(),
    );
    assert.strictEqual(result, 'done');
    assert.deepStrictEqual(
      user.shown.map((box) => box.refused),
      [['Enter a name.'], [], ['Digits only.']],
    );
  });

  for (const [at, answers] of [
    [1, [CANCEL]],
    [2, ['Ann', CANCEL]],
    [3, ['Ann', 's', CANCEL]],
    [3, ['Ann', 's', BACK, 's', CANCEL]],
  ] as const) {
    it(`cancelling at step ${at} (${answers.length} answers) submits nothing and closes the inputs`, async () => {
      const user = new ScriptedUser([...answers]);
      let submits = 0;
      const result = await runGuided(
        testFlow(user, async () => {
          submits++;
          return 'done';
        }),
        newState(),
      );
      assert.strictEqual(result, undefined);
      assert.strictEqual(submits, 0);
      assert.strictEqual(user.closed, 1);
      assert.strictEqual(user.shown.at(-1)?.place.step, at);
    });
  }

  it('an error in submit offers Try Again, which reopens the step it points at with the answers kept', async () => {
    const user = new ScriptedUser(['Ann', 's3cret', '5', BACK, 'new secret', '6']);
    const refusals: Array<{ error: unknown; tryAgain: () => Promise<unknown> }> = [];
    const submitted: Plan[] = [];
    const flow = testFlow(
      user,
      async (plan) => {
        submitted.push(plan);
        if (submitted.length === 1) {
          throw new Error('too many');
        }
        return 'created';
      },
      refusals,
    );
    const first = await runGuided(flow, newState());
    assert.strictEqual(first, undefined, 'a refused submit resolves undefined (the refusal is shown)');
    assert.strictEqual(refusals.length, 1, 'the refusal is shown once, with Try Again');
    assert.strictEqual(String(refusals[0].error), 'Error: too many');

    const again = await refusals[0].tryAgain();
    assert.strictEqual(again, 'created', 'Try Again resolves as the command does');
    assert.deepStrictEqual(user.trail.slice(3), [
      'Count (3/3)=5', // reopened at the step the refusal points at, the answer shown
      'Secret for Ann (2/3)=', // Back: the refused secret was dropped, the name kept
      'Count (3/3)=5',
    ]);
    assert.strictEqual(user.shown[3].problem, 'Refused: Error: too many', 'the step says why');
    assert.strictEqual(user.shown[5].problem, undefined, 'the problem is shown once');
    assert.deepStrictEqual(submitted.at(-1), { name: 'Ann', secret: 'new secret', count: 6 });
  });

  it('Try Again can be offered by submit itself (a sign-in shows its own refusal)', async () => {
    const user = new ScriptedUser(['Ann', 'bad', '1', 'good', '1']);
    let offered: (() => Promise<string | undefined>) | undefined;
    const flow: GuidedFlow<TestState, Plan, string> = {
      ...testFlow(user, async () => 'unused'),
      refused: undefined,
      submit: async (plan, tryAgain) => {
        if (plan.secret === 'bad') {
          offered = () =>
            tryAgain({
              step: secret,
              prepare: (state) => {
                state.secret = undefined;
                state.problem = { field: 'secret', message: 'Refused: paste a new one.' };
              },
            });
          return undefined;
        }
        return `signed in as ${plan.name}`;
      },
    };
    assert.strictEqual(await runGuided(flow, newState()), undefined);
    assert.ok(offered, 'submit offered Try Again');
    assert.strictEqual(await offered(), 'signed in as Ann');
    assert.deepStrictEqual(user.trail.slice(3), ['Secret for Ann (2/3)=', 'Count (3/3)=1']);
    assert.strictEqual(user.shown[3].problem, 'Refused: paste a new one.');
  });

  it('without a refusal handler an error in submit reaches the caller', async () => {
    const user = new ScriptedUser(['Ann', 's', '1']);
    const flow = { ...testFlow(user, () => Promise.reject(new Error('disk full'))), refused: undefined };
    await assert.rejects(runGuided(flow, newState()), /disk full/);
  });

  it('an empty plan stops without submitting (e.g. a save dialog dismissed)', async () => {
    const user = new ScriptedUser(['Ann', 's', '1']);
    let submits = 0;
    const flow: GuidedFlow<TestState, Plan, string> = {
      ...testFlow(user, async () => {
        submits++;
        return 'done';
      }),
      plan: () => undefined,
    };
    assert.strictEqual(await runGuided(flow, newState()), undefined);
    assert.strictEqual(submits, 0);
  });

  it('a total still unknown shows the step alone, and never a total below the step', async () => {
    const user = new ScriptedUser(['Ann', 's', '1']);
    const flow: GuidedFlow<TestState, Plan, string> = {
      ...testFlow(user, async () => 'done'),
      totalSteps: (state) => (state.name === '' ? undefined : 2),
    };
    await runGuided(flow, newState());
    assert.deepStrictEqual(
      user.shown.map((box) => box.place.totalSteps),
      [undefined, 2, 3],
    );
  });

  it('runPlanned (every answer given at once) submits the plan, or shows a refusal with the plan made so far', async () => {
    const refused: Array<[string, Plan | undefined]> = [];
    const note = (error: unknown, plan: Plan | undefined) => refused.push([String(error), plan]);
    const plan: Plan = { name: 'Ann', secret: 's', count: 1 };
    assert.strictEqual(
      await runPlanned(
        async () => plan,
        async (p) => `did ${p.name}`,
        note,
      ),
      'did Ann',
    );
    assert.strictEqual(
      await runPlanned(
        async () => undefined,
        async () => 'never',
        note,
      ),
      undefined,
      'no plan: nothing submitted',
    );
    assert.strictEqual(
      await runPlanned(
        () => Promise.reject(new Error('bad options')),
        async () => 'never',
        note,
      ),
      undefined,
    );
    assert.strictEqual(
      await runPlanned(
        async () => plan,
        () => Promise.reject(new Error('refused')),
        note,
      ),
      undefined,
    );
    assert.deepStrictEqual(refused, [
      ['Error: bad options', undefined],
      ['Error: refused', plan],
    ]);
  });
});
