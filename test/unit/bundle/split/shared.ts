// Used on both sides of the cut (splitEntry.ts and the modules it loads on first use): in the split
// build it must run once, from the start bundle.
export class SharedError extends Error {}

let calls = 0;

/** Module state: one counter whichever side calls. */
export function bump(): number {
  return ++calls;
}
