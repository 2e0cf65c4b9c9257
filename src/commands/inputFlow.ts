// One guided flow of quick inputs with a title, a step count ("Create Bulk Read Job (2/5)") and a
// Back button on every step after the first. Modelled on VS Code's multi-step input sample
// (vscode-extension-samples, quickinput-sample/src/multiStepInput.ts): each step is a function that
// shows one input and returns the next step; Back re-runs the previous step, which reads what was
// entered from the shared state, so nothing typed is lost. A flow can also start part-way, with the
// steps before it on the Back stack (Try Again after an error reopens the step that was wrong).
import * as vscode from 'vscode';

/** One step: shows an input, stores the answer in flow.state, returns the next step or undefined. */
export type Step<S> = (flow: InputFlow<S>) => Promise<Step<S> | undefined>;

/** A QuickPick or an InputBox: both have buttons. */
type Presentable = vscode.QuickInput & {
  buttons: readonly vscode.QuickInputButton[];
  readonly onDidTriggerButton: vscode.Event<vscode.QuickInputButton>;
};

/** Thrown inside a step by the helper: the user pressed Back or dismissed the input. */
class FlowAction {
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
  /** The steps taken, first to last: restart(path up to a step) reopens that step. */
  path: Step<S>[];
}

export interface PickOptions<T extends vscode.QuickPickItem> {
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

export class InputFlow<S> {
  private readonly steps: Step<S>[] = [];
  private current: vscode.QuickInput | undefined;
  private listeners: vscode.Disposable[] = [];
  /** Set when the user dismisses a "loading" input: the next show cancels the flow. */
  private dismissed = false;

  private constructor(
    private readonly options: FlowOptions<S>,
    readonly state: S,
  ) {}

  /**
   * Runs the flow from `first`, or from the last step of `resume` with the steps before it on the
   * Back stack. Resolves with the answers, or undefined when the user cancelled.
   */
  static async run<S>(
    options: FlowOptions<S>,
    state: S,
    first: Step<S>,
    resume?: readonly Step<S>[],
  ): Promise<FlowResult<S> | undefined> {
    const flow = new InputFlow(options, state);
    try {
      return await flow.stepThrough(first, resume);
    } finally {
      flow.close();
    }
  }

  /** Shows a busy input (step number and title kept) while `task` runs, e.g. loading a list. */
  async loading<T>(placeholder: string, task: () => Promise<T>): Promise<T> {
    const pick = vscode.window.createQuickPick();
    pick.busy = true;
    pick.enabled = false;
    pick.placeholder = placeholder;
    this.present(pick, () => {
      this.dismissed = true;
    });
    return task();
  }

  pick<T extends vscode.QuickPickItem>(options: PickOptions<T>): Promise<T> {
    const pick = vscode.window.createQuickPick<T>();
    pick.placeholder = options.placeholder;
    pick.matchOnDescription = options.matchOnDescription ?? false;
    pick.items = options.items;
    const active = options.active ? options.items.find(options.active) : undefined;
    if (active) {
      pick.activeItems = [active];
    }
    return new Promise<T>((resolve, reject) => {
      this.present(pick, () => reject(FlowAction.cancel), reject);
      if (options.typed) {
        const typed = options.typed;
        this.listeners.push(
          pick.onDidChangeValue((value) => {
            const extra = typed(value);
            pick.items = extra ? [...options.items, extra] : options.items;
          }),
        );
      }
      this.listeners.push(
        pick.onDidAccept(() => {
          const item = pick.selectedItems[0] ?? pick.activeItems[0];
          if (!item) {
            return;
          }
          const reason = options.refuse?.(item);
          if (reason) {
            // The row stays listed; the pick stays open and says why this one cannot be read.
            pick.placeholder = reason;
            pick.value = '';
            return;
          }
          resolve(item);
        }),
      );
    });
  }

  input(options: InputOptions): Promise<string> {
    const box = vscode.window.createInputBox();
    box.prompt = options.prompt;
    box.value = options.value ?? '';
    box.placeholder = options.placeholder;
    box.password = options.password ?? false;
    box.validationMessage = options.problem;
    return new Promise<string>((resolve, reject) => {
      this.present(box, () => reject(FlowAction.cancel), reject);
      this.listeners.push(
        box.onDidChangeValue((value) => {
          box.validationMessage = options.validate?.(value);
        }),
        box.onDidAccept(() => {
          const problem = options.validate?.(box.value);
          if (problem) {
            box.validationMessage = problem;
            return;
          }
          resolve(box.value.trim());
        }),
      );
    });
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

  /** Shows `input` in place of the previous one, with the flow's title, step count and Back. */
  private present(input: Presentable, onHide: () => void, onBack?: (action: FlowAction) => void): void {
    if (this.dismissed) {
      input.dispose();
      throw FlowAction.cancel;
    }
    input.title = this.options.title;
    input.step = this.steps.length;
    const total = this.options.totalSteps(this.state);
    input.totalSteps = total === undefined ? undefined : Math.max(this.steps.length, total);
    input.ignoreFocusOut = true;
    if (this.steps.length > 1) {
      input.buttons = [vscode.QuickInputButtons.Back];
    }
    const previous = this.current;
    this.disposeListeners();
    this.current = input;
    this.listeners.push(input.onDidHide(onHide));
    if (onBack) {
      this.listeners.push(
        input.onDidTriggerButton((button) => {
          if (button === vscode.QuickInputButtons.Back) {
            onBack(FlowAction.back);
          }
        }),
      );
    }
    input.show();
    previous?.dispose();
  }

  private disposeListeners(): void {
    for (const listener of this.listeners.splice(0)) {
      listener.dispose();
    }
  }

  private close(): void {
    this.disposeListeners();
    this.current?.dispose();
    this.current = undefined;
  }
}

/** The steps of `path` up to and including `step` (to reopen it), or all of them when absent. */
export function pathTo<S>(path: readonly Step<S>[], step: Step<S>): Step<S>[] {
  const index = path.indexOf(step);
  return index < 0 ? [...path] : path.slice(0, index + 1);
}
