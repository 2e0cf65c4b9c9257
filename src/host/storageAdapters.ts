// VS Code storage behind the core's KeyValueStore and SecretStore ports.
import type * as vscode from 'vscode';
import type { KeyValueStore, SecretStore } from '../core/ports';

export class MementoStore implements KeyValueStore {
  constructor(private readonly memento: vscode.Memento) {}
  get<T>(key: string): T | undefined {
    return this.memento.get<T>(key);
  }
  async update(key: string, value: unknown): Promise<void> {
    await this.memento.update(key, value);
  }
}

export class SecretStorageStore implements SecretStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}
  async get(key: string): Promise<string | undefined> {
    return this.secrets.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    await this.secrets.store(key, value);
  }
  async delete(key: string): Promise<void> {
    await this.secrets.delete(key);
  }
}
