// Runs the real built command-line tool (dist/cli.js, built by `npm run test:cli` first) as a child
// process, in a folder of its own with a state folder of its own and no credentials unless a test
// gives them. Its output is kept, and each line offered to the test as it comes (JSON Lines too).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

export const CLI = path.resolve(__dirname, '../../dist/cli.js');

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class CliRun {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly finished: Promise<Finished>;
  private readonly waiters: Array<{ test: (line: string) => boolean; resolve: (line: string) => void }> = [];

  constructor(args: string[], cwd: string, env: Record<string, string>) {
    if (!existsSync(CLI)) {
      throw new Error(`${CLI} is missing: run "node esbuild.js --cli" (npm run test:cli does)`);
    }
    this.child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = createInterface({ input: this.child.stdout! });
    lines.on('line', (line) => {
      this.stdout += `${line}\n`;
      for (const waiter of [...this.waiters]) {
        if (waiter.test(line)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(line);
        }
      }
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.finished = new Promise((resolve) =>
      this.child.on('close', (code) => resolve({ code, stdout: this.stdout, stderr: this.stderr })),
    );
  }

  /** The first stdout line (from now on, or already printed) that passes `test`. */
  line(test: (line: string) => boolean): Promise<string> {
    const seen = this.stdout.split('\n').find((line) => line && test(line));
    if (seen) {
      return Promise.resolve(seen);
    }
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  /** The first JSON event that passes `test`. */
  async event(test: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
    const line = await this.line((text) => {
      try {
        return test(JSON.parse(text) as Record<string, unknown>);
      } catch {
        return false;
      }
    });
    return JSON.parse(line) as Record<string, unknown>;
  }
}

/** A workspace folder with a definitions file, a state folder and a home of its own. */
export class Workspace {
  private constructor(readonly dir: string) {}

  static async create(definitions: string): Promise<Workspace> {
    const dir = await mkdtemp(path.join(tmpdir(), 'cbj-cli-'));
    await mkdir(path.join(dir, 'project', '.vscode'), { recursive: true });
    await writeFile(path.join(dir, 'project', '.vscode', 'zoho-exports.json'), definitions);
    return new Workspace(dir);
  }

  get project(): string {
    return path.join(this.dir, 'project');
  }

  get state(): string {
    return path.join(this.dir, 'state');
  }

  file(relative: string): string {
    return path.join(this.project, relative);
  }

  /** Runs the CLI in the project folder (or a folder below it) with only these variables. */
  run(args: string[], env: Record<string, string> = {}, cwd = this.project): CliRun {
    return new CliRun(args, cwd, {
      PATH: process.env.PATH ?? '',
      HOME: this.dir,
      CREATOR_BULK_JOBS_STATE_DIR: this.state,
      ...env,
    });
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}

export async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** Parses every stdout line as JSON (throws on the first that is not). */
export function events(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
