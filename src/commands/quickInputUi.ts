// A guided flow's inputs as VS Code quick inputs: one QuickPick or InputBox at a time, replaced in
// place (no flicker between steps), with the flow's title, step count and a Back button; hiding it
// cancels the flow. The flow itself (steps, Back stack) is ./stepFlow.ts.
import * as vscode from 'vscode';
import { FlowAction, type FlowUi, type InputOptions, type PickOptions, type Place } from './stepFlow';

/** A QuickPick or an InputBox: both have buttons. */
type Presentable = vscode.QuickInput & {
  buttons: readonly vscode.QuickInputButton[];
  readonly onDidTriggerButton: vscode.Event<vscode.QuickInputButton>;
};

/** The quick inputs of one run of a flow. */
export function quickInputUi(): FlowUi {
  return new QuickInputUi();
}

class QuickInputUi implements FlowUi {
  private current: vscode.QuickInput | undefined;
  private listeners: vscode.Disposable[] = [];
  /** Set when the user dismisses a "loading" input: the next show cancels the flow. */
  private dismissed = false;

  loading<T>(place: Place, placeholder: string, task: () => Promise<T>): Promise<T> {
    const pick = vscode.window.createQuickPick();
    pick.busy = true;
    pick.enabled = false;
    pick.placeholder = placeholder;
    this.present(place, pick, () => {
      this.dismissed = true;
    });
    return task();
  }

  pick<T extends vscode.QuickPickItem>(place: Place, options: PickOptions<T>): Promise<T> {
    const pick = vscode.window.createQuickPick<T>();
    pick.placeholder = options.placeholder;
    pick.matchOnDescription = options.matchOnDescription ?? false;
    pick.items = options.items;
    const active = options.active ? options.items.find(options.active) : undefined;
    if (active) {
      pick.activeItems = [active];
    }
    return new Promise<T>((resolve, reject) => {
      this.present(place, pick, () => reject(FlowAction.cancel), reject);
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

  input(place: Place, options: InputOptions): Promise<string> {
    const box = vscode.window.createInputBox();
    box.prompt = options.prompt;
    box.value = options.value ?? '';
    box.placeholder = options.placeholder;
    box.password = options.password ?? false;
    box.validationMessage = options.problem;
    return new Promise<string>((resolve, reject) => {
      this.present(place, box, () => reject(FlowAction.cancel), reject);
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

  close(): void {
    this.disposeListeners();
    this.current?.dispose();
    this.current = undefined;
  }

  /** Shows `input` in place of the previous one, with the flow's title, step count and Back. */
  private present(
    place: Place,
    input: Presentable,
    onHide: () => void,
    onBack?: (action: FlowAction) => void,
  ): void {
    if (this.dismissed) {
      input.dispose();
      throw FlowAction.cancel;
    }
    input.title = place.title;
    input.step = place.step;
    input.totalSteps = place.totalSteps;
    input.ignoreFocusOut = true;
    if (place.step > 1) {
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
}
