// The simulated tenant: applications, reports and their rows. Row i is computed on its own from
// (seed, report, i), so any batch can be generated lazily in O(1) memory and is identical every run.
import { ChangingReport } from './changes';
import { DAY, formatDate, formatDateTime, type SimClock } from './clock';

export type ReportType = 'list' | 'pivot';

/** The rows of a report at one moment: what a job reads (see ChangingReport.freeze). */
export interface RowSource {
  rowCount: number;
  row(i: number): string[];
}

export interface ReportDef extends RowSource {
  link_name: string;
  display_name: string;
  type: ReportType;
  /** Field link names, in CSV column order (sub-fields as `Field.sub`). */
  columns: string[];
  rowCount: number;
  /** The cells of row i (0-based), as the CSV shows them, one per column. */
  row(i: number): string[];
  /** The rows as they are now, unchanged by later changes (reports that change: ./changes.ts). */
  freeze?(): RowSource;
}

export interface AppDef {
  owner: string;
  link_name: string;
  application_name: string;
  workspace_name: string;
  category: number;
  creation_date: string;
  /** The app's date format (applications metadata `date_format`); dd-MMM-yyyy when unset. */
  date_format?: string;
  reports: ReportDef[];
}

export interface CatalogOptions {
  seed: number;
  ordersRows: number;
  customersRows: number;
  /** Records of help-desk's All_Tickets before any change (default 300). */
  ticketsRows?: number;
  /** The time changes are stamped with (the simulator's clock); real time by default. */
  clock?: Pick<SimClock, 'now'>;
}

/** mulberry32: tiny, fast, good enough for test data. */
function mulberry32(a: number): () => number {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A per-row seed: mixes seed, report salt and row index (murmur3 finaliser). */
function rowRng(seed: number, salt: number, i: number): () => number {
  let h = (seed ^ Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(salt, 0x85ebca77)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return mulberry32((h ^ (h >>> 16)) >>> 0);
}

const pick = <T>(rng: () => number, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const int = (rng: () => number, min: number, max: number): number =>
  min + Math.floor(rng() * (max - min + 1));

const FIRST = [
  'Zoë',
  'Jürgen',
  'Amélie',
  'Søren',
  'Ana',
  'Li',
  'Ravi',
  'Olga',
  'Noah',
  'Émile',
  'Hana',
  'Luis',
];
const LAST = [
  'Müller',
  "O'Brien",
  'Nakamura',
  'García',
  'Smith',
  'Kowalski',
  'Øster',
  'Dubois',
  'Chen',
  'Iyer',
];
const CITIES = [
  '東京',
  'München',
  'São Paulo',
  'Zürich',
  'Kraków',
  'Chennai',
  'Austin',
  'Reykjavík',
  'Paris',
];
const COUNTRIES = [
  'Japan',
  'Germany',
  'Brazil',
  'Switzerland',
  'Poland',
  'India',
  'USA',
  'Iceland',
  'France',
];
const STATUSES = ['Open', 'Shipped', 'Delivered', 'Cancelled'];
const PRODUCTS = ['Desk Lamp', 'Chair, ergonomic', 'Monitor 27"', 'Keyboard', 'Café Table', 'USB-C Hub'];
const TAGS = ['VIP', 'Wholesale', 'Newsletter', 'Late payer'];
// Notes exercise every CSV quoting rule: commas, double quotes, CR/LF, non-ASCII, empty.
const NOTES = [
  '',
  'Leave at the door, ring twice',
  'Customer said "urgent" twice',
  'Line one\r\nLine two',
  'Gift wrap\nno invoice in box',
  'Zoë prefers email; 東京 office',
  'Plain note',
  'Quote "inside", and a comma',
];

const BASE_DATE = Date.UTC(2023, 0, 1);
const money = (n: number): string => n.toFixed(2);
const asciiNames = new Map<string, string>();
/** ASCII-only local part (Zoë -> zoe); cached because normalize() is slow on hot paths. */
function email(first: string, last: string, i: number): string {
  const name = `${first}.${last}`;
  let ascii = asciiNames.get(name);
  if (ascii === undefined) {
    ascii = name
      .normalize('NFD')
      .replace(/ø/gi, 'o')
      .replace(/[^A-Za-z.]/g, '')
      .toLowerCase();
    asciiNames.set(name, ascii);
  }
  return `${ascii}${i}@example.com`;
}
/** Long numeric record IDs, kept as text (they overflow a double). */
const recordId = (prefix: string, i: number): string => `${prefix}${String(i + 1).padStart(15, '0')}`;

function ordersReport(seed: number, rows: number): ReportDef {
  return {
    link_name: 'All_Orders',
    display_name: 'All Orders',
    type: 'list',
    rowCount: rows,
    columns: [
      'ID',
      'Order_No',
      'Order_Date',
      'Added_Time',
      'Customer_Name.first_name',
      'Customer_Name.last_name',
      'Email',
      'City',
      'Status',
      'Quantity',
      'Unit_Price',
      'Total',
      'Notes',
      'Line_Items',
    ],
    row(i) {
      const r = rowRng(seed, 1, i);
      const first = pick(r, FIRST);
      const last = pick(r, LAST);
      const day = BASE_DATE + int(r, 0, 729) * DAY;
      const quantity = int(r, 1, 20);
      const unit = int(r, 199, 99999) / 100;
      const items = Array.from({ length: int(r, 1, 3) }, () => ({
        Product: pick(r, PRODUCTS),
        Qty: int(r, 1, 5),
        Price: money(int(r, 100, 5000) / 100),
      }));
      return [
        recordId('4071', i),
        `ORD-${String(i + 1).padStart(7, '0')}`,
        formatDate(day),
        formatDateTime(day + int(r, 0, DAY / 1000 - 1) * 1000),
        first,
        last,
        email(first, last, i),
        pick(r, CITIES),
        pick(r, STATUSES),
        String(quantity),
        money(unit),
        money(quantity * unit),
        pick(r, NOTES),
        JSON.stringify(items),
      ];
    },
  };
}

function customersReport(seed: number, rows: number): ReportDef {
  return {
    link_name: 'All_Customers',
    display_name: 'All Customers',
    type: 'list',
    rowCount: rows,
    columns: [
      'ID',
      'Customer_Name.first_name',
      'Customer_Name.last_name',
      'Email',
      'Phone',
      'City',
      'Country',
      'Joined_On',
      'Credit_Limit',
      'Tags',
    ],
    row(i) {
      const r = rowRng(seed, 2, i);
      const first = pick(r, FIRST);
      const last = pick(r, LAST);
      const place = int(r, 0, CITIES.length - 1);
      const tags = TAGS.filter(() => r() < 0.3);
      return [
        recordId('4072', i),
        first,
        last,
        email(first, last, i),
        `+1 555 ${String(int(r, 0, 9999999)).padStart(7, '0')}`,
        CITIES[place],
        COUNTRIES[place],
        formatDate(BASE_DATE - int(r, 0, 1500) * DAY),
        money(int(r, 0, 5000000) / 100),
        JSON.stringify(tags),
      ];
    },
  };
}

const pivotReport: ReportDef = {
  link_name: 'Sales_Pivot',
  display_name: 'Sales Pivot',
  type: 'pivot',
  rowCount: 0,
  columns: [],
  row: () => [],
};

function visitsReport(seed: number): ReportDef {
  return {
    link_name: 'All_Visits',
    display_name: 'All Visits',
    type: 'list',
    rowCount: 60,
    columns: ['ID', 'Visit_Date', 'Technician', 'Site', 'Duration_Hours'],
    row(i) {
      const r = rowRng(seed, 3, i);
      return [
        recordId('4073', i),
        formatDate(BASE_DATE + int(r, 0, 364) * DAY),
        `${pick(r, FIRST)} ${pick(r, LAST)}`,
        pick(r, CITIES),
        money(int(r, 25, 800) / 100),
      ];
    },
  };
}

/** A million orders for the export benchmark: like every report here, rows are made on demand. */
export const ORDER_HISTORY_ROWS = 1_000_000;

function orderHistoryReport(seed: number): ReportDef {
  return {
    ...ordersReport(seed, ORDER_HISTORY_ROWS),
    link_name: 'Order_History',
    display_name: 'Order History',
  };
}

export function buildCatalog(options: CatalogOptions): AppDef[] {
  const { seed } = options;
  return [
    {
      owner: 'demo',
      link_name: 'zylker-store',
      application_name: 'Zylker Store',
      workspace_name: 'demo',
      category: 1,
      creation_date: '12-Jan-2023',
      reports: [
        ordersReport(seed, options.ordersRows),
        customersReport(seed, options.customersRows),
        pivotReport,
      ],
    },
    {
      owner: 'demo',
      link_name: 'field-service',
      application_name: 'Field Service',
      workspace_name: 'demo',
      category: 1,
      creation_date: '03-Mar-2024',
      reports: [visitsReport(seed)],
    },
    {
      owner: 'demo',
      link_name: 'data-warehouse',
      application_name: 'Data Warehouse',
      workspace_name: 'demo',
      category: 1,
      creation_date: '20-Jun-2024',
      reports: [orderHistoryReport(seed)],
    },
    {
      // A report that changes between runs (./changes.ts), in an app whose date format is not
      // the default: incremental exports must write their Modified_Time literal in it.
      owner: 'demo',
      link_name: 'help-desk',
      application_name: 'Help Desk',
      workspace_name: 'demo',
      category: 1,
      creation_date: '02-Feb-2025',
      date_format: 'MM/dd/yyyy',
      reports: [new ChangingReport(seed, options.ticketsRows ?? 300, 'MM/dd/yyyy', options.clock ?? Date)],
    },
  ];
}
