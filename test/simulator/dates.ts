// Date-time literals as Zoho reads them in criteria: in the application's `date_format` (the time
// part HH:mm:ss, optional), compared as instants, not as text (docs/zoho-bulk-read-api.md,
// "Incremental extraction"). The simulator's apps all use UTC as their time zone.
import { DATE_TOKENS, MONTH_NAMES, formatDateTimeLiteral } from '../../src/zoho/dateFormat';

/** System date-time fields every record has: criteria on them compare dates. */
export const DATE_TIME_FIELDS = new Set(['Added_Time', 'Modified_Time']);

/** The date-time cell of `ms` in the app's format (UTC). */
export function formatCell(ms: number, format: string): string {
  return formatDateTimeLiteral(ms, format, 'UTC');
}

const cache = new Map<string, RegExp>();

function patternOf(format: string): { regex: RegExp; order: string[] } {
  const order = format.match(DATE_TOKENS) ?? [];
  let regex = cache.get(format);
  if (!regex) {
    const escaped = format.split(DATE_TOKENS).map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
    const groups = order.map((token) =>
      token === 'yyyy' ? '(\\d{4})' : token === 'MMM' ? '([A-Za-z]{3})' : '(\\d{2})',
    );
    const body = escaped.map((part, i) => part + (groups[i] ?? '')).join('');
    regex = new RegExp(`^${body}(?: (\\d{2}):(\\d{2}):(\\d{2}))?$`);
    cache.set(format, regex);
  }
  return { regex, order };
}

/** The instant (UTC ms) a literal or cell in `format` names, or undefined when it is not one. */
export function parseDateTime(text: string, format: string): number | undefined {
  const { regex, order } = patternOf(format);
  const match = regex.exec(text.trim());
  if (!match) {
    return undefined;
  }
  let year = 0;
  let month = 0;
  let day = 0;
  order.forEach((token, i) => {
    const value = match[i + 1];
    if (token === 'yyyy') {
      year = Number(value);
    } else if (token === 'MMM') {
      month = MONTH_NAMES.findIndex((name) => name.toLowerCase() === value.toLowerCase()) + 1;
    } else if (token === 'MM') {
      month = Number(value);
    } else {
      day = Number(value);
    }
  });
  const [hour, minute, second] = [4, 5, 6].map((k) => Number(match[order.length + k - 3] ?? 0));
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}
