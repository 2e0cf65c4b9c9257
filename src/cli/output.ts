// What the tool prints, in three forms: a person at a terminal gets one progress line per export
// redrawn in place; a pipe or CI log gets plain timestamped lines; --json gets one JSON object per
// event (JSON Lines). Every line, in every form, passes through the masking of src/zoho/redact.ts
// with the secret values of the environment: nothing secret is ever printed.
import { redactKnown } from '../zoho/redact';

export type CliEvent =
  | {
      type: 'problem';
      file: string;
      line: number;
      column: number;
      severity: 'error' | 'warning';
      message: string;
    }
  | { type: 'definition'; name: string; app: string; report: string; destination: string; account?: string }
  | { type: 'start'; name: string; exportId: string; report: string; destination: string; resumed?: true }
  | {
      type: 'progress';
      name: string;
      exportId: string;
      /** The batch being read now (1-based). */
      batch: number;
      /** All the batches, once Zoho has said which one is the last (it never says how many ahead). */
      batches?: number;
      batchesDone: number;
      records: number;
      bytes: number;
      recordsPerSecond: number;
      /** Seconds until the current batch is in, estimated from the batches before it. */
      batchEtaSeconds?: number;
      seconds: number;
    }
  | {
      type: 'done';
      name: string;
      exportId: string;
      state: 'completed' | 'failed' | 'interrupted' | 'cancelled' | 'dailyLimit' | 'signIn';
      exitCode: number;
      file?: string;
      records: number;
      batches: number;
      bytes: number;
      apiCalls: number;
      seconds: number;
      message?: string;
      resume?: string;
      /** An incremental definition's run: how it fetched, and what it changed in the snapshot (`file`). */
      mode?: 'full' | 'incremental';
      changes?: { added: number; changed: number; removed: number; file: string };
    }
  | {
      type: 'job';
      jobId: string;
      state: string;
      status: string;
      records?: number;
      report: string;
      file?: string;
    }
  | {
      type: 'export';
      exportId: string;
      name: string;
      state: string;
      records: number;
      startedAt: string;
      file?: string;
    }
  | {
      type: 'error';
      exitCode: number;
      message: string;
      /** How to carry on an earlier run that is in the way (an export refused before it started). */
      resume?: string;
    };

export type Progress = Extract<CliEvent, { type: 'progress' }>;
type Mode = 'tty' | 'plain' | 'json';

export interface Sink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const number = (n: number): string => n.toLocaleString('en-US');

export function formatBytes(bytes: number): string {
  if (bytes < 1000) {
    return `${bytes} B`;
  }
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) {
    return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  }
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** The progress line: `Orders  batch 2/? · 200,000 records · 41,230 records/s · 12 s · batch ETA ~8 s`. */
export function progressText(p: Progress): string {
  const parts = [
    `${p.name}  batch ${p.batch}/${p.batches ?? '?'}`,
    `${number(p.records)} records`,
    `${number(Math.round(p.recordsPerSecond))} records/s`,
    formatSeconds(p.seconds),
  ];
  if (p.batchEtaSeconds !== undefined) {
    parts.push(`batch ETA ~${formatSeconds(p.batchEtaSeconds)}`);
  }
  return parts.join(' · ');
}

export function doneText(e: Extract<CliEvent, { type: 'done' }>): string {
  const figures = `${number(e.records)} records, ${e.batches} batch${e.batches === 1 ? '' : 'es'}, ${formatBytes(e.bytes)}, ${e.apiCalls} API call${e.apiCalls === 1 ? '' : 's'}, ${formatSeconds(e.seconds)}`;
  if (e.state === 'completed') {
    const changes = e.changes
      ? `${e.mode} run, +${number(e.changes.added)} ~${number(e.changes.changed)} −${number(e.changes.removed)} (${e.changes.file}), `
      : '';
    // A completed run's message is a warning about the next runs (e.g. no Modified_Time column).
    return `✔ ${e.name}: ${changes}${figures} → ${e.file ?? ''}${e.message ? `\n  ⚠ ${e.message}` : ''}`;
  }
  const resume = e.resume ? `\n  ${e.resume}` : '';
  return `✖ ${e.name}: ${e.message ?? e.state} (${figures})${resume}`;
}

export class Output {
  readonly mode: Mode;
  /** The progress line on screen (tty), to clear before anything else is printed. */
  private drawn = false;
  private lastPlain = '';

  constructor(
    json: boolean,
    private readonly secrets: readonly string[],
    private readonly out: Sink = process.stdout,
    private readonly err: Sink = process.stderr,
  ) {
    this.mode = json ? 'json' : out.isTTY ? 'tty' : 'plain';
  }

  mask(text: string): string {
    return redactKnown(text, this.secrets);
  }

  /** An event: a JSON line, or its text (problems and errors to stderr). */
  emit(event: CliEvent): void {
    if (event.type === 'progress' && this.mode !== 'tty' && !this.changed(event)) {
      return; // a log gets a line when something changed, not one a second
    }
    if (this.mode === 'json') {
      this.out.write(`${this.mask(JSON.stringify(event))}\n`);
      return;
    }
    switch (event.type) {
      case 'progress':
        this.progress(event);
        return;
      case 'problem':
        // No timestamp: file:line:column first, as editors and CI problem matchers read it.
        this.line(
          `${event.file}:${event.line}:${event.column}: ${event.severity}: ${event.message}`,
          this.err,
          false,
        );
        return;
      case 'error':
        this.line(`${event.message}${event.resume ? `\n  ${event.resume}` : ''}`, this.err);
        return;
      case 'definition':
        this.line(
          `${event.name}  ${event.app}/${event.report} → ${event.destination}${event.account ? `  (account ${event.account})` : ''}`,
        );
        return;
      case 'start':
        this.line(
          `${event.resumed ? 'Resuming' : 'Exporting'} ${event.name} (${event.report}) to ${event.destination}, export ${event.exportId}`,
        );
        return;
      case 'done':
        this.line(doneText(event), event.state === 'completed' ? this.out : this.err);
        return;
      case 'job':
        this.line(
          `Job ${event.jobId} of ${event.report}: ${event.status}${event.records !== undefined ? `, ${number(event.records)} records` : ''}${event.file ? ` → ${event.file}` : ''}`,
        );
        return;
      case 'export':
        this.line(
          `${event.exportId}  ${event.name}  ${event.state}  ${number(event.records)} records  started ${event.startedAt}${event.file ? `  ${event.file}` : ''}`,
        );
        return;
    }
  }

  /** A line of text for a person (not in JSON mode, where events say it all). */
  note(text: string): void {
    if (this.mode !== 'json') {
      this.line(text, this.err);
    }
  }

  /** Takes the progress line off the screen (before exit). */
  finish(): void {
    this.clear();
  }

  private progress(p: Progress): void {
    const text = this.mask(progressText(p));
    if (this.mode === 'tty') {
      const width = Math.max(20, (this.out.columns || 100) - 1); // 0 in a terminal of unknown size
      this.out.write(`\r\x1b[2K${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
      this.drawn = true;
      return;
    }
    this.line(text);
  }

  private changed(p: Progress): boolean {
    const key = `${p.exportId}/${p.batch}/${p.batches}/${p.batchesDone}/${p.records}`;
    const changed = key !== this.lastPlain;
    this.lastPlain = key;
    return changed;
  }

  private clear(): void {
    if (this.drawn) {
      this.out.write('\r\x1b[2K');
      this.drawn = false;
    }
  }

  private line(text: string, sink: Sink = this.out, stamped = true): void {
    this.clear();
    const stamp = stamped && this.mode === 'plain' ? `${new Date().toISOString()} ` : '';
    sink.write(`${stamp}${this.mask(text)}\n`);
  }
}
