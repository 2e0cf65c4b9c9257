// The one runner of the guided commands (sign in twice, Create Bulk Read Job, Track Existing Job,
// Export Whole Report): run the steps, make a plan of the answers, submit it; a refusal offers Try
// Again, which reopens the step it points at with every answer kept (a refused secret aside). The
// steps and their Back stack are ./stepFlow.ts; textStep() is the step of one typed answer.
import { InputFlow, pathTo, takeProblem, type FlowUi, type Step, type StepProblem } from './stepFlow';

/** Where a Try Again reopens the flow. */
export interface Reopen<S> {
  /** The step to reopen, with the steps before it on the Back stack; default: the last one. */
  step?: Step<S>;
  /** Changes the kept answers first: drops a refused secret, says on the step what was wrong. */
  prepare?: (state: S) => void;
}

/** Reopens the flow with the answers kept; resolves as the command does. */
export type TryAgain<S, R> = (reopen: Reopen<S>) => Promise<R | undefined>;

/** A submit that failed: where Try Again reopens, and how the failure is shown. */
export interface Refusal<S> extends Reopen<S> {
  /** Shows what failed, offering Try Again (not awaited: a command must not hang on a toast). */
  show: (tryAgain: () => Promise<unknown>) => void;
}

export interface GuidedFlow<S, P, R> {
  title: string;
  /** The total the title shows for the answers so far (see FlowOptions.totalSteps). */
  totalSteps: (state: S) => number | undefined;
  first: Step<S>;
  /** What shows the inputs: one per run of the steps. */
  ui: () => FlowUi;
  /** The plan the answers make, or undefined to stop without a word. */
  plan: (state: S) => P | undefined | Promise<P | undefined>;
  /** Carries the plan out; a refusal it shows itself may reopen the flow through `tryAgain`. */
  submit: (plan: P, tryAgain: TryAgain<S, R>) => Promise<R | undefined>;
  /** When submit throws: where Try Again reopens and how the error is shown; else it propagates. */
  refused?: (error: unknown, plan: P) => Refusal<S>;
}

/**
 * Runs the flow from its first step (or from the last step of `resume`, the others on the Back
 * stack), then submits its plan. Resolves with what submit resolves, or undefined when the user
 * cancelled, the plan was empty, or the submit was refused (and shown, with Try Again).
 */
export async function runGuided<S, P, R>(
  flow: GuidedFlow<S, P, R>,
  state: S,
  resume?: readonly Step<S>[],
): Promise<R | undefined> {
  const result = await InputFlow.run(
    flow.ui(),
    { title: flow.title, totalSteps: flow.totalSteps },
    state,
    flow.first,
    resume,
  );
  if (!result) {
    return undefined;
  }
  const plan = await flow.plan(result.state);
  if (plan === undefined) {
    return undefined;
  }
  const tryAgain: TryAgain<S, R> = (reopen) => {
    reopen.prepare?.(result.state);
    return runGuided(flow, result.state, reopen.step ? pathTo(result.path, reopen.step) : result.path);
  };
  try {
    return await flow.submit(plan, tryAgain);
  } catch (error) {
    if (!flow.refused) {
      throw error;
    }
    const refusal = flow.refused(error, plan);
    refusal.show(() => tryAgain(refusal));
    return undefined;
  }
}

/** Reopens `step` saying `message` on it (the problem is keyed by the answer's `field`). */
export function reopenWithProblem<S extends { problem?: StepProblem }>(
  step: Step<S> | undefined,
  field: string | undefined,
  message: string,
): Reopen<S> {
  return {
    step,
    prepare: (state) => {
      if (field !== undefined) {
        state.problem = { field, message };
      }
    },
  };
}

export interface TextStepOptions<S, K extends string> {
  /** Where the answer goes; also the field a Try Again's problem names. */
  key: K;
  prompt: string | ((state: S) => string);
  placeholder?: string;
  /** A secret: typed hidden, and asked afresh rather than shown again on Back or Try Again. */
  secret?: boolean;
  validate: (value: string, state: S) => string | undefined;
  /** The step after this one; none ends the flow. */
  next?: Step<S>;
}

/**
 * The step of one typed answer: the box shows the answer given before (Back, Try Again) unless it
 * is a secret, refuses what `validate` refuses as it is typed, and shows a Try Again's problem
 * meant for this answer once.
 */
export function textStep<S extends { problem?: StepProblem } & { [F in K]?: string }, K extends string>(
  options: TextStepOptions<S, K>,
): Step<S> {
  const { key } = options;
  return async (flow) => {
    const { state } = flow;
    const answers = state as Record<string, unknown>;
    answers[key] = await flow.input({
      prompt: typeof options.prompt === 'string' ? options.prompt : options.prompt(state),
      placeholder: options.placeholder,
      value: options.secret ? undefined : ((answers[key] as string | undefined) ?? ''),
      password: options.secret,
      validate: (value) => options.validate(value, state),
      problem: takeProblem(state, key),
    });
    return options.next;
  };
}

/**
 * The same command given every answer at once (an options object, from automation and tests): make
 * the plan, submit it; a failure goes to `refused`, shown without Try Again (there is no flow to
 * reopen). Resolves with what submit resolves, or undefined.
 */
export async function runPlanned<P, R>(
  plan: () => Promise<P | undefined>,
  submit: (plan: P) => Promise<R | undefined>,
  refused: (error: unknown, plan: P | undefined) => void,
): Promise<R | undefined> {
  let planned: P | undefined;
  try {
    planned = await plan();
    return planned === undefined ? undefined : await submit(planned);
  } catch (error) {
    refused(error, planned);
    return undefined;
  }
}
