// A Logger that keeps what it was told, so tests can assert that a problem was reported.
import type { Logger } from '../../../src/core/ports';

export class RecordingLogger implements Logger {
  readonly lines: string[] = [];
  trace = (message: string): void => void this.lines.push(`trace ${message}`);
  debug = (message: string): void => void this.lines.push(`debug ${message}`);
  info = (message: string): void => void this.lines.push(`info ${message}`);
  warn = (message: string): void => void this.lines.push(`warn ${message}`);
  error = (message: string): void => void this.lines.push(`error ${message}`);

  /** Lines logged at warn or error level. */
  problems(): string[] {
    return this.lines.filter((line) => line.startsWith('warn ') || line.startsWith('error '));
  }
}
