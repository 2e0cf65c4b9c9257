// Date-time literals in a Creator application's own format. Zoho compares a criteria's date
// literal (e.g. `Modified_Time > "06-Dec-2026 04:00:00"`) in the application's `date_format`,
// read from the applications metadata, and in its time zone (docs/zoho-bulk-read-api.md,
// "Incremental extraction" and "Metadata for pickers"). The time part is always HH:mm:ss.

export const MONTH_NAMES = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];

/** Creator's default date format (the simulator's, and what an app without one is taken to use). */
export const DEFAULT_DATE_FORMAT = 'dd-MMM-yyyy';

/** The tokens of a date_format: yyyy, MMM, MM, dd (and the separators between them). */
export const DATE_TOKENS = /yyyy|MMM|MM|dd/g;

/** Whether `format` is one this code can write: it names the year, the month and the day once each. */
export function isKnownDateFormat(format: string): boolean {
  const tokens = format.match(DATE_TOKENS) ?? [];
  const kinds = new Set(tokens.map((token) => (token.startsWith('M') ? 'M' : token)));
  return tokens.length === 3 && kinds.size === 3 && !/[A-Za-z]/.test(format.replace(DATE_TOKENS, ''));
}

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock parts of `ms` in `timeZone` (an IANA name such as "Asia/Kolkata"); UTC when unknown. */
export function wallClock(ms: number, timeZone: string | undefined): Parts {
  if (timeZone && timeZone !== 'UTC' && isTimeZone(timeZone)) {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(new Date(ms));
    const get = (type: string): number => Number(parts.find((part) => part.type === type)?.value);
    return {
      year: get('year'),
      month: get('month'),
      day: get('day'),
      hour: get('hour') % 24,
      minute: get('minute'),
      second: get('second'),
    };
  }
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** Whether the runtime knows `timeZone` as an IANA time zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `ms` as a date-time literal: `format` for the date, then ` HH:mm:ss`, in `timeZone`. */
export function formatDateTimeLiteral(ms: number, format: string, timeZone?: string): string {
  const p = wallClock(ms, timeZone);
  const date = format.replace(DATE_TOKENS, (token) =>
    token === 'yyyy'
      ? pad(p.year, 4)
      : token === 'MMM'
        ? MONTH_NAMES[p.month - 1]
        : token === 'MM'
          ? pad(p.month)
          : pad(p.day),
  );
  return `${date} ${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`;
}
