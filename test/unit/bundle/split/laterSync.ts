// Loaded on first use through require(): belongs in later.js, not in the start bundle.
import { bump } from './shared';

export const LATER_SYNC_MARK = 'split-fixture-later-sync-module';

export function count(): number {
  return bump();
}
