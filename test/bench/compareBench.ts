// Compare with Previous Run on two runs of 1,000,000 records (about 80 MB each): time and peak
// memory of src/exports/compareCsv.ts, which must stay within the export path's memory bound
// (the same peak RSS growth target as a download: README "Performance"). The compare runs in a
// fresh Node process: in this one, the garbage of writing the two files leaves a heap so large
// that the compare's growth over it reads near zero (1.3 MB measured for a compare that grows
// 197 MB from a fresh start).
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compareCsv, type CompareSummary } from '../../src/exports/compareCsv';
import { MB, fmt, timed, withPeakRss } from './stats';

const RECORDS = 1_000_000;
const HEADER = 'ID,Order_No,Customer,Email,City,Status,Quantity,Unit_Price,Total,Notes';

function order(id: number, status: string, quantity: number): string {
  return `${4_000_000_000 + id},ORD-${String(id).padStart(7, '0')},Customer ${id % 5000},c${id % 5000}@example.com,City ${id % 97},${status},${quantity},12.50,${(quantity * 12.5).toFixed(2)},${id % 40 === 0 ? '"note, with a comma"' : ''}`;
}

/** Writes `records` lines of `line(i)` in 8 MB pieces. */
async function writeRun(
  file: string,
  line: (i: number) => string | undefined,
  count: number,
): Promise<number> {
  const handle = await fs.open(file, 'w');
  let pieces: string[] = [HEADER];
  let size = 0;
  try {
    for (let i = 1; i <= count; i++) {
      const text = line(i);
      if (text === undefined) {
        continue;
      }
      pieces.push(text);
      size += text.length;
      if (size > 8 * MB) {
        await handle.write(`${pieces.join('\r\n')}\r\n`);
        pieces = [];
        size = 0;
      }
    }
    if (pieces.length > 0) {
      await handle.write(`${pieces.join('\r\n')}\r\n`);
    }
  } finally {
    await handle.close();
  }
  return (await fs.stat(file)).size;
}

export async function benchCompare(): Promise<void> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cbj-bench-compare-'));
  try {
    const previous = path.join(dir, 'previous.csv');
    const current = path.join(dir, 'current.csv');
    const bytes = await writeRun(previous, (i) => order(i, 'Open', i % 9), RECORDS);
    // 1% removed, 2% changed, 5,000 added.
    await writeRun(
      current,
      (i) =>
        i % 100 === 0 && i <= RECORDS
          ? undefined
          : i > RECORDS
            ? order(i, 'New', 1)
            : order(i, i % 50 === 1 ? 'Closed' : 'Open', i % 9),
      RECORDS + 5000,
    );
    const { summary, seconds, peakGrowthMb } = await compareInChild(previous, current, dir);
    console.log(
      `compare two runs of ${RECORDS.toLocaleString('en-US')} records (${fmt(bytes / MB)} MB each): ${fmt(seconds, 2)} s, ` +
        `peak RSS growth ${fmt(peakGrowthMb)} MB [export path's bound: <= 64]; +${summary.added} ~${summary.changed} −${summary.removed}` +
        ` (expected +5000 ~20000 −10000)`,
    );
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

interface ChildFigures {
  summary: CompareSummary;
  seconds: number;
  peakGrowthMb: number;
}

/** Runs the compare in a fresh Node process (this file with --child); its figures as JSON. */
async function compareInChild(previous: string, current: string, dir: string): Promise<ChildFigures> {
  const child = spawn(
    process.execPath,
    ['-r', 'esbuild-register', __filename, '--child', previous, current, dir],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => (out += text));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject).on('close', resolve);
  });
  if (code !== 0) {
    throw new Error(`the compare's process exited with ${code}`);
  }
  return JSON.parse(out) as ChildFigures;
}

async function child(previous: string, current: string, dir: string): Promise<void> {
  const { value, seconds } = await timed(() =>
    withPeakRss(() =>
      compareCsv(previous, current, { workDir: dir, differencesCsv: path.join(dir, 'differences.csv') }),
    ),
  );
  const figures: ChildFigures = { summary: value.value, seconds, peakGrowthMb: value.peakGrowthMb };
  process.stdout.write(JSON.stringify(figures));
}

if (require.main === module && process.argv[2] === '--child') {
  void child(process.argv[3], process.argv[4], process.argv[5]).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
