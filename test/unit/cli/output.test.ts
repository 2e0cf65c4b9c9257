// The terminal output of the command-line tool (src/cli/output.ts) as a person sees it: a fake
// terminal applies what is written (carriage return, clear-line, newline) to its screen, so a line
// not cleared before a shorter one, a progress line left under the summary, or a line wider than
// the terminal (which would wrap and break the redraw) shows on the screen as it would for a user.
import * as assert from 'node:assert/strict';
import { Output, type Progress, type Sink } from '../../../src/cli/output';

const CLEAR_LINE = '\x1b[2K';

/** A terminal of `columns` (undefined: a size it does not report) holding what was written. */
class Terminal implements Sink {
  readonly isTTY = true;
  readonly screen: string[] = [''];
  private column = 0;

  constructor(readonly columns?: number) {}

  write(text: string): boolean {
    for (let i = 0; i < text.length;) {
      if (text.startsWith(CLEAR_LINE, i)) {
        this.screen[this.screen.length - 1] = '';
        i += CLEAR_LINE.length;
        continue;
      }
      const char = text[i++];
      assert.notEqual(
        char,
        '\x1b',
        `an escape sequence this terminal does not know: ${JSON.stringify(text)}`,
      );
      if (char === '\r') {
        this.column = 0;
      } else if (char === '\n') {
        this.screen.push('');
        this.column = 0;
      } else {
        const line = this.screen[this.screen.length - 1].padEnd(this.column);
        this.screen[this.screen.length - 1] = line.slice(0, this.column) + char + line.slice(this.column + 1);
        this.column++;
      }
    }
    return true;
  }
}

/** A pipe (a CI log): no terminal, every write kept. */
class Pipe implements Sink {
  text = '';
  write(text: string): boolean {
    this.text += text;
    return true;
  }
}

function progress(patch: Partial<Progress> = {}): Progress {
  return {
    type: 'progress',
    name: 'Orders',
    exportId: 'e1',
    batch: 1,
    batchesDone: 0,
    records: 0,
    bytes: 0,
    recordsPerSecond: 0,
    seconds: 1,
    ...patch,
  };
}

const DONE = {
  type: 'done',
  name: 'Orders',
  exportId: 'e1',
  state: 'completed',
  exitCode: 0,
  file: 'out/All_Orders.csv',
  records: 250_000,
  batches: 2,
  bytes: 72_600_000,
  apiCalls: 8,
  seconds: 13,
} as const;

describe('cli output: the progress line at a terminal', () => {
  it('redraws one line in place (a shorter line leaves nothing of a longer one), and the summary replaces it', () => {
    const terminal = new Terminal(120);
    const output = new Output(false, [], terminal, terminal); // stdout and stderr: one screen
    assert.equal(output.mode, 'tty');
    output.emit(progress());
    output.emit(
      progress({
        batch: 2,
        batches: 2,
        batchesDone: 1,
        records: 200_000,
        recordsPerSecond: 17_294,
        seconds: 12,
        batchEtaSeconds: 12,
      }),
    );
    assert.deepEqual(terminal.screen, [
      'Orders  batch 2/2 · 200,000 records · 17,294 records/s · 12 s · batch ETA ~12 s',
    ]);
    output.emit(progress({ batch: 2, batches: 2, batchesDone: 1, records: 200_000, seconds: 13 }));
    assert.deepEqual(terminal.screen, ['Orders  batch 2/2 · 200,000 records · 0 records/s · 13 s']);
    output.emit(DONE);
    assert.deepEqual(terminal.screen, [
      '✔ Orders: 250,000 records, 2 batches, 72.6 MB, 8 API calls, 13 s → out/All_Orders.csv',
      '',
    ]);
  });

  it('a note (Ctrl+C, a throttle) takes the line off first, and finish() leaves the screen clean', () => {
    const terminal = new Terminal(120);
    const output = new Output(false, [], terminal, terminal);
    output.emit(progress({ seconds: 2 }));
    output.note('Ctrl+C: stopping cleanly (press it again to quit at once)…');
    output.emit(progress({ seconds: 3 }));
    output.finish();
    assert.deepEqual(terminal.screen, ['Ctrl+C: stopping cleanly (press it again to quit at once)…', '']);
  });

  it('cuts the line to the terminal width (a wrapped line could not be redrawn), 99 columns when it reports none', () => {
    const narrow = new Terminal(30);
    new Output(false, [], narrow, narrow).emit(progress({ records: 123_456, recordsPerSecond: 4_321 }));
    assert.deepEqual(narrow.screen, ['Orders  batch 1/? · 123,456 …']);
    assert.equal(narrow.screen[0].length, 29);

    const unknown = new Terminal(undefined);
    new Output(false, [], unknown, unknown).emit(progress({ name: 'N'.repeat(150) }));
    assert.equal(unknown.screen[0].length, 99);
    assert.ok(unknown.screen[0].endsWith('…'));
  });

  it('masks the secrets of the environment in the progress line, errors, notes and summaries', () => {
    const secret = 'tok-1000.abcdef0123456789';
    const terminal = new Terminal(200);
    const output = new Output(false, [secret], terminal, terminal);
    output.emit(progress({ name: `Orders ${secret}` }));
    output.emit({ type: 'error', exitCode: 3, message: `Zoho said: invalid token ${secret}` });
    output.note(`Echoed: ${secret}`);
    output.emit({ ...DONE, state: 'failed', exitCode: 4, message: `refused ${secret}` });
    const text = terminal.screen.join('\n');
    assert.ok(!text.includes(secret), text);
    assert.ok(!text.includes('abcdef0123456789'), text);
    assert.match(text, /Zoho said: invalid token \S+/);
    assert.equal(terminal.screen.length, 4, 'three lines and the empty line after them');

    const json = new Pipe();
    new Output(true, [secret], json, json).emit(progress({ name: `Orders ${secret}` }));
    assert.ok(!json.text.includes(secret), json.text);
    assert.doesNotThrow(() => JSON.parse(json.text));
  });
});

describe('cli output: a pipe or CI log', () => {
  it('gets timestamped lines, one when the progress changes (not one a second), and no terminal escapes', () => {
    const pipe = new Pipe();
    const output = new Output(false, [], pipe, pipe);
    assert.equal(output.mode, 'plain');
    output.emit(progress({ seconds: 1 }));
    output.emit(progress({ seconds: 2 })); // only the clock moved
    output.emit(progress({ records: 200_000, batchesDone: 1, batch: 2, seconds: 3 }));
    output.emit(DONE);
    output.finish();
    const lines = pipe.text.split('\n').filter(Boolean);
    assert.equal(lines.length, 3, pipe.text);
    for (const line of lines) {
      assert.match(line, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S/);
    }
    assert.ok(
      !pipe.text.includes('\r') && !pipe.text.includes('\x1b'),
      'no carriage return or escape in a log',
    );
  });
});
