// Another window, as a separate process: adds one to the count of an item of a shared collection
// (see sharedCollection.test.ts). Run as `node -r esbuild-register collectionWriter.ts <dir> <key>`.
import { systemClock } from '../../../src/core/ports';
import { SharedCollection } from '../../../src/core/sharedCollection';
import { COUNTERS, increment, isCounter } from './counters';

async function main(): Promise<void> {
  const [dir, key] = process.argv.slice(2);
  const other = new SharedCollection({
    dir,
    name: COUNTERS,
    label: 'counters',
    isItem: isCounter,
    clock: systemClock,
  });
  await other.change(key, increment(key, 'other process'));
  other.dispose();
}

void main();
