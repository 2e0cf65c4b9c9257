// Whether this window's UI is still there. code-server keeps a window's extension host running after
// its browser tab is gone (closed, crashed, asleep or cut off) until the tab reconnects or a grace
// time ends; the host is told nothing, and the window's last focus state stays as it was. Such a
// window must not keep polling or the user's notifications (README, "Several windows").
//
// The rule: a call into the workbench is answered only by a live UI (the extension host's requests
// wait for the UI's reply, and a missing tab never replies). Every UI_PRESENCE_CHECK_MS this asks the
// UI a trivial question (a setContext) and counts the UI as gone when no answer has come within
// UI_PRESENCE_TIMEOUT_MS; the first answer after that counts it back.
import * as vscode from 'vscode';
import { Disposable } from './disposable';

export const UI_PRESENCE_CHECK_MS = 5_000;
export const UI_PRESENCE_TIMEOUT_MS = 5_000;
const PROBE_CONTEXT = 'creatorBulkJobs.uiAnswers';

export class UiPresence extends Disposable {
  private answered = true;
  private probing = false;

  constructor(private readonly changed: (present: boolean) => void) {
    super();
    const timer = setInterval(() => this.probe(), UI_PRESENCE_CHECK_MS);
    this.register({ dispose: () => clearInterval(timer) });
  }

  get present(): boolean {
    return this.answered;
  }

  private probe(): void {
    if (this.probing || this.isDisposed) {
      return;
    }
    this.probing = true;
    let settled = false;
    const late = setTimeout(() => {
      if (!settled) {
        this.set(false); // still waiting for the answer: the UI is gone or has hung
      }
    }, UI_PRESENCE_TIMEOUT_MS);
    void Promise.resolve(vscode.commands.executeCommand('setContext', PROBE_CONTEXT, true)).then(
      () => {
        settled = true;
        clearTimeout(late);
        this.probing = false;
        this.set(true);
      },
      () => {
        settled = true;
        clearTimeout(late);
        this.probing = false;
      },
    );
  }

  private set(present: boolean): void {
    if (this.answered !== present && !this.isDisposed) {
      this.answered = present;
      this.changed(present);
    }
  }
}
