// Reports that change between runs: a seeded change set adds, edits and deletes records, and
// `Modified_Time` moves with every edit and add (docs/zoho-bulk-read-api.md, "Incremental
// extraction"). A job reads the report as it was when the job was created (`freeze`), so a change
// applied while an export runs shows in the next run, never half in a batch.
import { HOUR, DAY, type SimClock } from './clock';
import { formatCell } from './dates';
import type { ReportDef, RowSource } from './data';

/** What one change set does (counts), and the IDs it touched. */
export interface ChangeSet {
  /** Seed of which records are picked; the same seed on the same state picks the same ones. */
  seed?: number;
  added?: number;
  edited?: number;
  deleted?: number;
}

export interface AppliedChanges {
  added: string[];
  edited: string[];
  deleted: string[];
}

const STATUSES = ['New', 'Open', 'Waiting', 'Solved', 'Closed'];
const PRIORITIES = ['Low', 'Normal', 'High', 'Urgent'];
const SUBJECTS = ['Printer offline', 'Login fails', 'Invoice "copy"', 'VPN, again', 'Café Wi-Fi', 'Refund'];

function mix(seed: number, salt: number, i: number): () => number {
  let a = (seed * 2654435761) ^ Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca77);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Edit {
  version: number;
  modifiedAt: number;
}

/**
 * `All_Tickets`: ID, Subject, Status, Priority, Added_Time, Modified_Time; `rows` records at first,
 * added before `createdBefore`. Dates in the app's `dateFormat`.
 */
export class ChangingReport implements ReportDef {
  readonly link_name = 'All_Tickets';
  readonly display_name = 'All Tickets';
  readonly type = 'list' as const;
  readonly columns = ['ID', 'Subject', 'Status', 'Priority', 'Added_Time', 'Modified_Time'];
  private readonly edits = new Map<number, Edit>();
  private readonly deleted = new Set<number>();
  /** Added_Time of each added record (index rows + k). */
  private readonly addedAt: number[] = [];
  private live: Int32Array;
  private changes = 0;

  constructor(
    private readonly seed: number,
    private readonly rows: number,
    private readonly dateFormat: string,
    private readonly clock: Pick<SimClock, 'now'>,
    private readonly createdBefore = Date.UTC(2026, 0, 1),
  ) {
    this.live = Int32Array.from({ length: rows }, (_, i) => i);
  }

  get rowCount(): number {
    return this.live.length;
  }

  row(i: number): string[] {
    return this.cells(this.live[i], this.edits);
  }

  freeze(): RowSource {
    const live = this.live;
    const edits = new Map(this.edits);
    return { rowCount: live.length, row: (i) => this.cells(live[i], edits) };
  }

  /** Applies one seeded change set now (the simulator's clock), and says which IDs it touched. */
  apply(change: ChangeSet): AppliedChanges {
    this.changes++;
    const rng = mix(change.seed ?? this.seed, 7000 + this.changes, this.live.length);
    const now = this.clock.now();
    const pickLive = (taken: Set<number>): number | undefined => {
      for (let tries = 0; tries < 1000 && this.live.length > taken.size; tries++) {
        const index = this.live[Math.floor(rng() * this.live.length)];
        if (!taken.has(index)) {
          taken.add(index);
          return index;
        }
      }
      return undefined;
    };
    const taken = new Set<number>();
    const result: AppliedChanges = { added: [], edited: [], deleted: [] };
    for (let k = 0; k < (change.deleted ?? 0); k++) {
      const index = pickLive(taken);
      if (index !== undefined) {
        this.deleted.add(index);
        result.deleted.push(this.id(index));
      }
    }
    for (let k = 0; k < (change.edited ?? 0); k++) {
      const index = pickLive(taken);
      if (index !== undefined) {
        this.edits.set(index, { version: (this.edits.get(index)?.version ?? 0) + 1, modifiedAt: now });
        result.edited.push(this.id(index));
      }
    }
    for (let k = 0; k < (change.added ?? 0); k++) {
      this.addedAt.push(now);
      result.added.push(this.id(this.rows + this.addedAt.length - 1));
    }
    const all = this.rows + this.addedAt.length;
    const live: number[] = [];
    for (let index = 0; index < all; index++) {
      if (!this.deleted.has(index)) {
        live.push(index);
      }
    }
    this.live = Int32Array.from(live);
    return result;
  }

  private id(index: number): string {
    return `4074${String(index + 1).padStart(15, '0')}`;
  }

  private cells(index: number, edits: ReadonlyMap<number, Edit>): string[] {
    const base = mix(this.seed, 4, index);
    const added =
      index < this.rows
        ? this.createdBefore - Math.floor(base() * 400) * DAY - Math.floor(base() * 24) * HOUR
        : this.addedAt[index - this.rows];
    const edit = edits.get(index);
    const r = edit ? mix(this.seed + edit.version, 5, index) : base;
    const modified = edit?.modifiedAt ?? (index < this.rows ? added + Math.floor(base() * 48) * HOUR : added);
    return [
      this.id(index),
      SUBJECTS[Math.floor(r() * SUBJECTS.length)],
      STATUSES[Math.floor(r() * STATUSES.length)],
      PRIORITIES[Math.floor(r() * PRIORITIES.length)],
      formatCell(added, this.dateFormat),
      formatCell(modified, this.dateFormat),
    ];
  }
}
