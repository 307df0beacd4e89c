// Dates as Jira and the tools write them, read into one shape.
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

interface ParsedDate {
  /** The calendar date as written (in the writer's own zone). */
  date: string;
  /** The instant, in milliseconds since the epoch (midnight UTC for a date alone). */
  ms: number;
}

function validDate(date: string): boolean {
  const m = DATE_ONLY.exec(date);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

/** Reads `2026-11-22`, `2026-11-22T07:02:00.000+0000` (Jira), ISO 8601 with any offset, or epoch milliseconds. */
export function parseDateValue(v: unknown): ParsedDate | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) return undefined;
    const iso = new Date(v).toISOString();
    return { date: iso.slice(0, 10), ms: v };
  }
  if (typeof v !== 'string') return undefined;
  const text = v.trim();
  if (DATE_ONLY.test(text)) return validDate(text) ? { date: text, ms: Date.parse(`${text}T00:00:00.000Z`) } : undefined;
  const m = DATE_TIME.exec(text);
  if (!m || !validDate(m[1] as string)) return undefined;
  const [, date, hh, mm, ss = '00', frac = '0', zone] = m;
  let offset = 'Z';
  if (zone && zone.toUpperCase() !== 'Z') offset = zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const millis = frac.padEnd(3, '0').slice(0, 3);
  const ms = Date.parse(`${date}T${hh}:${mm}:${ss}.${millis}${offset}`);
  return Number.isNaN(ms) ? undefined : { date: date as string, ms };
}

/** Jira's date-time format: `2026-11-22T07:02:00.000+0000`. */
export function formatJiraDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
