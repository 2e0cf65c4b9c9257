// Whether this window's UI is still there. code-server keeps a window's extension host running after
// its browser tab is gone (closed, crashed, asleep or cut off) until the tab reconnects or a grace
// time ends; the host is told nothing, and the window's last focus state stays as it was. Such a
// window must not keep polling or the user's notifications (README, "Several windows").
//
// Only a UI in a browser (code-server, vscode.dev) or a remote extension host can be gone while its
// extension host runs: desktop VS Code has no extension host without its window, so it never asks.
// Elsewhere a call into the workbench is answered only by a live UI (a missing tab never replies):
// this asks the UI a trivial question (a setContext), and host/presenceRule.ts decides from the
// answers (one late answer is not enough to give up the poller lease).
import * as vscode from 'vscode';
import { systemClock } from '../core/ports';
import { Disposable } from '../core/lifecycle';
import { PresenceRule, type PresenceVerdict } from './presenceRule';

const PROBE_CONTEXT = 'creatorBulkJobs.uiAnswers';

/** Whether this window's UI can be gone while its extension host runs. */
export function uiCanBeGone(): boolean {
  return vscode.env.uiKind === vscode.UIKind.Web || vscode.env.remoteName !== undefined;
}

export class UiPresence extends Disposable {
  private readonly rule: PresenceRule | undefined;

  constructor(changed: (verdict: PresenceVerdict) => void) {
    super();
    this.rule = uiCanBeGone()
      ? this.register(
          new PresenceRule(
            () => vscode.commands.executeCommand('setContext', PROBE_CONTEXT, true),
            systemClock,
            changed,
          ),
        )
      : undefined;
  }

  /** The UI is there: the window may hold the poller lease. */
  get present(): boolean {
    return this.rule?.present ?? true;
  }

  /** The UI answered the last question in time: the window may be the one a notification goes to. */
  get answering(): boolean {
    return this.rule?.answering ?? true;
  }

  /** Asks only while something needs it (see PresenceRule.setActive). */
  setActive(active: boolean): void {
    this.rule?.setActive(active);
  }
}
