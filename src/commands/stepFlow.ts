// The steps of a guided flow, with a title, a step count ("Create Bulk Read Job (2/5)") and Back on
// every step after the first. Modelled on VS Code's multi-step input sample (vscode-extension-samples,
// quickinput-sample/src/multiStepInput.ts): each step is a function that shows one input and returns
// the next step; Back re-runs the previous step, which reads what was entered from the shared state,
// so nothing typed is lost. A flow can also start part-way, with the steps before it on the Back
// stack (Try Again after an error reopens the step that was wrong). What the user sees is a FlowUi:
// VS Code's quick inputs (./quickInputUi.ts), or a scripted user in the unit tests.
import type { QuickPickItem } from 'vscode';

/** One step: shows an input, stores the answer in flow.state, returns the next step or undefined. */
export type Step<S> = (flow: InputFlow<S>) => Promise<Step<S> | undefined>;

/** Thrown by a FlowUi inside a step: the user pressed Back or dismissed the input. */
export class FlowAction {
  static readonly back = new FlowAction();
  static readonly cancel = new FlowAction();
}

/** Which answer a Try Again should point at, and why it was refused. */
export interface StepProblem<F extends string = string> {
  field: F;
  message: string;
}

/** The problem meant for this step, once (a later visit shows the usual prompt). */
export function takeProblem(state: { problem?: StepProblem }, field: string): string | undefined {
  if (state.problem?.field !== field) {
    return undefined;
  }
  const { message } = state.problem;
  state.problem = undefined;
  return message;
}

/** The steps of `path` up to and including `step` (to reopen it), or all of them when absent. */
export function pathTo<S>(path: readonly Step<S>[], step: Step<S>): Step<S>[] {
  const index = path.indexOf(step);
  return index < 0 ? [...path] : path.slice(0, index + 1);
}

export interface FlowOptions<S> {
  title: string;
  /**
   * How many steps the flow has for the answers so far (e.g. a custom host adds two), or undefined
   * while an answer still to come decides it: the title then shows the step alone ("1"), never a
   * total that jumps ("1/3" then "2/5").
   */
  totalSteps: (state: S) => number | undefined;
}

export interface FlowResult<S> {
  state: S;
  /** The steps taken, first to last: pathTo(path, step) reopens that step. */
  path: Step<S>[];
}

export interface PickOptions<T extends QuickPickItem> {
  placeholder: string;
  items: readonly T[];
  /** The item to highlight (what was picked before going back). */
  active?: (item: T) => boolean;
  /**
   * An extra row built from the filter text, e.g. "Use link name X" for names not listed. Keep the
   * text out of its label: VS Code sorts rows whose label matches the filter first, best match
   * first, so a label that is exactly the typed text would be the active row and Enter would take it
   * over "Zylker Store". Rows matching only elsewhere keep their order, and this one comes last.
   */
  typed?: (value: string) => T | undefined;
  /** Why an item cannot be accepted (shown in place, the pick stays open), or undefined. */
  refuse?: (item: T) => string | undefined;
  matchOnDescription?: boolean;
}

export interface InputOptions {
  prompt: string;
  value?: string;
  placeholder?: string;
  password?: boolean;
  validate?: (value: string) => string | undefined;
  /** A message to show at once (e.g. why the previous answer was refused). */
  problem?: string;
}

/** Where an input stands in its flow: the title, its step number, and the total when known. */
export interface Place {
  title: string;
  step: number;
  totalSteps: number | undefined;
}

/**
 * Shows one input at a time in place of the previous one, with Back from the second step on.
 * pick and input resolve with the answer, or reject with FlowAction.back or FlowAction.cancel.
 */
export interface FlowUi {
  pick<T extends QuickPickItem>(place: Place, options: PickOptions<T>): Promise<T>;
  input(place: Place, options: InputOptions): Promise<string>;
  /** Shows a busy input (step number and title kept) while `task` runs, e.g. loading a list. */
  loading<T>(place: Place, placeholder: string, task: () => Promise<T>): Promise<T>;
  /** Closes whatever input is shown. */
  close(): void;
}

/** What a step sees: the answers so far, and the inputs it may show. */
export class InputFlow<S> {
  private readonly steps: Step<S>[] = [];

  private constructor(
    private readonly ui: FlowUi,
    private readonly options: FlowOptions<S>,
    readonly state: S,
  ) {}

  /**
   * Runs the flow from `first`, or from the last step of `resume` with the steps before it on the
   * Back stack. Resolves with the answers, or undefined when the user cancelled.
   */
  static async run<S>(
    ui: FlowUi,
    options: FlowOptions<S>,
    state: S,
    first: Step<S>,
    resume?: readonly Step<S>[],
  ): Promise<FlowResult<S> | undefined> {
    const flow = new InputFlow(ui, options, state);
    try {
      return await flow.stepThrough(first, resume);
    } finally {
      ui.close();
    }
  }

  loading<T>(placeholder: string, task: () => Promise<T>): Promise<T> {
    return this.ui.loading(this.place(), placeholder, task);
  }

  pick<T extends QuickPickItem>(options: PickOptions<T>): Promise<T> {
    return this.ui.pick(this.place(), options);
  }

  input(options: InputOptions): Promise<string> {
    return this.ui.input(this.place(), options);
  }

  private place(): Place {
    const step = this.steps.length;
    const total = this.options.totalSteps(this.state);
    return {
      title: this.options.title,
      step,
      totalSteps: total === undefined ? undefined : Math.max(step, total),
    };
  }

  private async stepThrough(first: Step<S>, resume?: readonly Step<S>[]): Promise<FlowResult<S> | undefined> {
    let step: Step<S> | undefined = first;
    if (resume && resume.length > 0) {
      this.steps.push(...resume.slice(0, -1));
      step = resume[resume.length - 1];
    }
    while (step) {
      this.steps.push(step);
      try {
        step = await step(this);
      } catch (error) {
        if (error === FlowAction.back) {
          this.steps.pop();
          step = this.steps.pop();
        } else if (error === FlowAction.cancel) {
          return undefined;
        } else {
          throw error;
        }
      }
    }
    return { state: this.state, path: [...this.steps] };
  }
}
