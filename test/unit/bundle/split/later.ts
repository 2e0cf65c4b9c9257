// Loaded on first use through import(): belongs in later.js, not in the start bundle.
import { bump, SharedError } from './shared';

export const LATER_MARK = 'split-fixture-later-module';

export function fail(): never {
  bump();
  throw new SharedError(LATER_MARK);
}
