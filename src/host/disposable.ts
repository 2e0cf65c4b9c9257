// Base class for objects that own listeners, timers and editor items.
import type * as vscode from 'vscode';

export abstract class Disposable implements vscode.Disposable {
  private readonly owned: vscode.Disposable[] = [];
  private disposed = false;

  /** Takes ownership: `value` is disposed with this object (at once if already disposed). */
  protected register<T extends vscode.Disposable>(value: T): T {
    if (this.disposed) {
      value.dispose();
    } else {
      this.owned.push(value);
    }
    return value;
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) {
      return;
    }
    this.disposed = true;
    for (const value of this.owned.splice(0).reverse()) {
      value.dispose();
    }
  }
}

/** A bag of disposables, disposed last-added first (listeners before the services they call). */
export class DisposableStore extends Disposable {
  add<T extends vscode.Disposable>(value: T): T {
    return this.register(value);
  }
}
