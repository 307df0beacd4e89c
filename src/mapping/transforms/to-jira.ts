// Tool → Jira: the Jira value (raw REST shape for an edit), lookup or transition for a tool field's value.
import { markdownToAdf } from '../../adf';
import type { FieldMapping } from '../schema';
import { formatJiraDateTime, parseDateValue } from './dates';
import { plainTextToAdf } from './plain-text';
import { compile, isEmpty, isRecord, isWebAddress, jiraFieldLabel, nameOf, nameOfEmail, norm, pairTables, quote, statusTables } from './readers';
import { fail, skip, value, type ErrorResult, type JiraValueResult, type SkipResult } from './results';

const SUMMARY_MAX = 255;

/** The Jira value (raw REST shape for an edit), lookup or transition for a tool field's value. */
export function toJiraValue(mapping: FieldMapping, toolValue: unknown): JiraValueResult {
  const label = jiraFieldLabel(mapping.jira);
  const from = `the tool's ${mapping.tool}`;
  const t = mapping.transform;
  switch (t.kind) {
    case 'text': {
      if (toolValue === null || toolValue === undefined) {
        return mapping.jira === 'summary' ? skip(`${from} is empty, and a Jira summary cannot be`) : value(null);
      }
      if (typeof toolValue !== 'string' && typeof toolValue !== 'number' && typeof toolValue !== 'boolean') {
        return fail(`${from} does not hold text`);
      }
      const text = String(toolValue);
      if (mapping.jira !== 'summary') return value(text);
      // Jira refuses a summary with line breaks or over 255 characters.
      const line = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
      if (line === '') return skip(`${from} is empty, and a Jira summary cannot be`);
      return value(line.length > SUMMARY_MAX ? line.slice(0, SUMMARY_MAX - 1) + '…' : line);
    }
    case 'adf-markdown':
    case 'adf-plain':
      if (isEmpty(toolValue)) return value(null);
      if (typeof toolValue !== 'string') return fail(`${from} does not hold text`);
      return value(t.kind === 'adf-markdown' ? markdownToAdf(toolValue) : plainTextToAdf(toolValue));
    case 'user-email': {
      if (isEmpty(toolValue)) return value(null);
      const email = typeof toolValue === 'string' ? toolValue.trim() : isRecord(toolValue) ? nameOfEmail(toolValue) : undefined;
      if (email === undefined || !/^[^\s@]+@[^\s@]+$/.test(email)) return skip(`${from} holds ${quote(email ?? toolValue)}, which is not an email address`);
      return { kind: 'user-by-email', email };
    }
    case 'priority': {
      if (isEmpty(toolValue)) return skip(`${from} is empty; ${label} is left as it is`);
      const name = nameOf(toolValue, 'name');
      if (name === undefined) return fail(`${from} does not hold a priority`);
      const jira = compile(t, () => pairTables(t.table)).toJira.get(norm(name));
      return jira === undefined ? skip(`The tool's priority ${quote(name)} has no row in the priority table`) : value({ name: jira });
    }
    case 'status': {
      const state = nameOf(toolValue, 'name');
      if (state === undefined || state.trim() === '') return skip(`${from} holds no state`);
      const target = statusTables(t).toJira.get(norm(state));
      if (target === undefined) return skip(`The tool's state ${quote(state)} has no Jira status in the status table`);
      return { kind: 'status', ...target };
    }
    case 'labels': {
      if (isEmpty(toolValue)) return value([]);
      const items = typeof toolValue === 'string' ? toolValue.split(',') : Array.isArray(toolValue) ? toolValue : undefined;
      if (items === undefined) return fail(`${from} does not hold labels`);
      const labels: string[] = [];
      for (const item of items) {
        if (typeof item !== 'string' && typeof item !== 'number') continue;
        // Jira labels cannot contain spaces.
        const cleaned = String(item).trim().replace(/\s+/g, '-');
        if (cleaned !== '' && !labels.includes(cleaned)) labels.push(cleaned);
      }
      return value(labels);
    }
    case 'number': {
      if (isEmpty(toolValue)) return value(null);
      const n = typeof toolValue === 'number' ? toolValue : typeof toolValue === 'string' ? Number(toolValue.trim()) : Number.NaN;
      return Number.isFinite(n) ? value(n) : fail(`${from} holds ${quote(toolValue)}, which is not a number`);
    }
    case 'date': {
      if (isEmpty(toolValue)) return value(null);
      const parsed = parseDateValue(toolValue);
      if (!parsed) return fail(`${from} holds ${quote(toolValue)}, which is not a date`);
      return value(t.jiraType === 'date' ? parsed.date : formatJiraDateTime(parsed.ms));
    }
    case 'option': {
      if (isEmpty(toolValue)) return value(null);
      const table = compile(t, () => pairTables(t.table)).toJira;
      const one = (item: unknown): { value: string } | SkipResult | ErrorResult => {
        const name = nameOf(item, 'value');
        if (name === undefined) return fail(`${from} does not hold a choice`);
        const mapped = table.get(norm(name));
        if (mapped !== undefined) return { value: mapped };
        if (t.defaultJira !== undefined) return { value: t.defaultJira };
        return t.unmatched === 'same' ? { value: name } : skip(`The tool's choice ${quote(name)} has no row in the option table`);
      };
      if (!Array.isArray(toolValue)) {
        const r = one(toolValue);
        return 'kind' in r ? r : value(r);
      }
      const out: Array<{ value: string }> = [];
      for (const item of toolValue) {
        const r = one(item);
        if ('kind' in r) return r;
        if (!out.some((o) => o.value === r.value)) out.push(r);
      }
      return value(out);
    }
    case 'names': {
      if (isEmpty(toolValue)) return value([]);
      const items = Array.isArray(toolValue) ? toolValue : [toolValue];
      const names: string[] = [];
      for (const item of items) {
        const name = nameOf(item, 'name');
        if (name === undefined) return fail(`${from} does not hold names`);
        if (name.trim() !== '' && !names.includes(name.trim())) names.push(name.trim());
      }
      // Jira finds each by name in the project, and refuses a name it does not have.
      return value(names.map((name) => ({ name })));
    }
    case 'checkbox': {
      if (toolValue === null || toolValue === undefined) return value([]);
      if (typeof toolValue !== 'boolean') return fail(`${from} holds ${quote(toolValue)}, which is not true or false`);
      return value(toolValue ? [{ value: t.option }] : []);
    }
    case 'cascading': {
      if (isEmpty(toolValue)) return value(null);
      if (typeof toolValue !== 'string') return fail(`${from} does not hold a choice`);
      const at = toolValue.indexOf(t.separator);
      if (at < 0) return value({ value: toolValue.trim() });
      return value({ value: toolValue.slice(0, at).trim(), child: { value: toolValue.slice(at + t.separator.length).trim() } });
    }
    case 'users-email': {
      if (isEmpty(toolValue)) return value([]);
      const items = Array.isArray(toolValue) ? toolValue : typeof toolValue === 'string' ? toolValue.split(',') : undefined;
      if (items === undefined) return fail(`${from} does not hold a list of emails`);
      const emails: string[] = [];
      for (const item of items) {
        const email = typeof item === 'string' ? item.trim() : isRecord(item) ? nameOfEmail(item) : undefined;
        if (email === undefined || !/^[^\s@]+@[^\s@]+$/.test(email)) return skip(`${from} holds ${quote(email ?? item)}, which is not an email address`);
        if (!emails.some((e) => norm(e) === norm(email))) emails.push(email);
      }
      return emails.length === 0 ? value([]) : { kind: 'users-by-email', emails };
    }
    case 'url':
      if (isEmpty(toolValue)) return value(null);
      return typeof toolValue === 'string' && isWebAddress(toolValue) ? value(toolValue.trim()) : skip(`${from} holds ${quote(toolValue)}, which is not a web address`);
    case 'sprint': {
      if (isEmpty(toolValue)) return value(null);
      const name = nameOf(toolValue, 'name');
      if (name === undefined) return fail(`${from} does not hold a sprint name`);
      return { kind: 'sprint-by-name', name: name.trim() };
    }
    case 'parent': {
      if (isEmpty(toolValue)) return value(null);
      const recordId = nameOf(toolValue, 'name') ?? (isRecord(toolValue) && typeof toolValue.id === 'string' ? toolValue.id : undefined);
      if (recordId === undefined) return fail(`${from} does not hold a record reference`);
      return { kind: 'issue-of-record', recordId: recordId.trim() };
    }
    case 'team': {
      if (isEmpty(toolValue)) return value(null);
      const name = nameOf(toolValue, 'name');
      if (name === undefined) return fail(`${from} does not hold a team`);
      const id = compile(t, () => pairTables(t.table)).toJira.get(norm(name));
      return id === undefined ? skip(`The tool's team ${quote(name)} has no row in the team table`) : value(id);
    }
  }
}
