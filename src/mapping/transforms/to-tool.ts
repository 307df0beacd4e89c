// Jira → tool: the tool's value for a Jira field's value.
import { adfToMarkdown, adfToPlainText } from '../../adf';
import type { FieldMapping, TransformOf } from '../schema';
import { parseDateValue } from './dates';
import { compile, isAdfDoc, isEmpty, isRecord, isWebAddress, jiraFieldLabel, nameOf, norm, pairTables, quote, statusTables, type Raw } from './readers';
import { fail, skip, value, type ErrorResult, type SkipResult, type ToolValueContext, type ToolValueResult } from './results';

/** The tool's value for a Jira field's value (raw Jira REST shape). */
export function toToolValue(mapping: FieldMapping, jiraValue: unknown, ctx?: ToolValueContext): ToolValueResult {
  const label = jiraFieldLabel(mapping.jira);
  const t = mapping.transform;
  switch (t.kind) {
    case 'text':
      if (jiraValue === null || jiraValue === undefined) return value(null);
      if (typeof jiraValue === 'string') return value(jiraValue);
      if (typeof jiraValue === 'number' || typeof jiraValue === 'boolean') return value(String(jiraValue));
      if (isAdfDoc(jiraValue)) return value(adfToPlainText(jiraValue));
      return fail(`${label} does not hold text`);
    case 'adf-markdown':
    case 'adf-plain':
      if (jiraValue === null || jiraValue === undefined) return value('');
      if (typeof jiraValue === 'string') return value(jiraValue);
      if (isAdfDoc(jiraValue)) return value(t.kind === 'adf-markdown' ? adfToMarkdown(jiraValue) : adfToPlainText(jiraValue));
      return fail(`${label} does not hold rich text`);
    case 'user-email':
      return userToTool(label, jiraValue, ctx);
    case 'priority': {
      if (jiraValue === null || jiraValue === undefined) return value(null);
      const name = nameOf(jiraValue, 'name');
      if (name === undefined) return fail(`${label} does not hold a priority`);
      const tool = compile(t, () => pairTables(t.table)).toTool.get(norm(name));
      return tool === undefined ? skip(`Jira priority ${quote(name)} has no row in the priority table`) : value(tool);
    }
    case 'status':
      return statusToTool(t, jiraValue);
    case 'labels': {
      if (jiraValue !== null && jiraValue !== undefined && !Array.isArray(jiraValue)) return fail(`${label} does not hold labels`);
      const labels = Array.isArray(jiraValue) ? jiraValue.filter((l): l is string => typeof l === 'string') : [];
      return value(t.format === 'comma' ? labels.join(',') : labels);
    }
    case 'number':
      if (jiraValue === null || jiraValue === undefined) return value(null);
      if (typeof jiraValue === 'number' && Number.isFinite(jiraValue)) return value(jiraValue);
      if (typeof jiraValue === 'string' && jiraValue.trim() !== '' && Number.isFinite(Number(jiraValue))) return value(Number(jiraValue));
      return fail(`${label} holds ${quote(jiraValue)}, which is not a number`);
    case 'date': {
      if (isEmpty(jiraValue)) return value(null);
      const parsed = parseDateValue(jiraValue);
      if (!parsed) return fail(`${label} holds ${quote(jiraValue)}, which is not a date`);
      const format = t.toolFormat ?? t.jiraType;
      if (format === 'date') return value(parsed.date);
      if (format === 'epoch-ms') return value(parsed.ms);
      return value(new Date(parsed.ms).toISOString());
    }
    case 'option':
      return optionToTool(t, label, jiraValue);
    case 'names': {
      if (jiraValue !== null && jiraValue !== undefined && !Array.isArray(jiraValue)) return fail(`${label} does not hold a list of versions or components`);
      const names = (Array.isArray(jiraValue) ? jiraValue : []).map((item) => nameOf(item, 'name')).filter((n): n is string => n !== undefined);
      return value(t.format === 'single' ? (names[0] ?? null) : names);
    }
    case 'checkbox': {
      if (jiraValue === null || jiraValue === undefined) return value(false);
      if (!Array.isArray(jiraValue)) return fail(`${label} does not hold checkboxes`);
      return value(jiraValue.some((item) => norm(nameOf(item, 'value') ?? '') === norm(t.option)));
    }
    case 'cascading': {
      if (jiraValue === null || jiraValue === undefined) return value(null);
      const parent = nameOf(jiraValue, 'value');
      if (parent === undefined || !isRecord(jiraValue)) return fail(`${label} does not hold a cascading choice`);
      const child = nameOf(jiraValue.child, 'value');
      return value(child === undefined ? parent : `${parent}${t.separator}${child}`);
    }
    case 'users-email': {
      if (jiraValue === null || jiraValue === undefined) return value([]);
      if (!Array.isArray(jiraValue)) return fail(`${label} does not hold a list of users`);
      const emails: string[] = [];
      for (const user of jiraValue) {
        const one = userToTool(label, user, ctx);
        if (one.kind !== 'value') return one;
        if (typeof one.value === 'string' && !emails.includes(one.value)) emails.push(one.value);
      }
      return value(emails);
    }
    case 'url':
      if (isEmpty(jiraValue)) return value(null);
      return typeof jiraValue === 'string' && isWebAddress(jiraValue) ? value(jiraValue.trim()) : skip(`${label} holds ${quote(jiraValue)}, which is not a web address`);
    case 'sprint': {
      // The open sprint (active before future); closed sprints are its history.
      if (jiraValue === null || jiraValue === undefined) return value(null);
      if (!Array.isArray(jiraValue)) return fail(`${label} does not hold sprints`);
      const open = jiraValue.filter((s): s is Raw => isRecord(s) && typeof s.name === 'string' && s.state !== 'closed');
      const chosen = open.find((s) => s.state === 'active') ?? open[0];
      return value(chosen ? chosen.name : null);
    }
    case 'parent': {
      if (jiraValue === null || jiraValue === undefined) return value(null);
      if (!isRecord(jiraValue) || typeof jiraValue.id !== 'string') return fail(`${label} does not hold an issue`);
      const record = ctx?.recordOf?.(jiraValue.id);
      const key = typeof jiraValue.key === 'string' ? jiraValue.key : jiraValue.id;
      return record === undefined ? skip(`The parent ${key} has no record in the tool (not synced yet, or in a project this connection does not map); the parent is sent once it has one`) : value(record);
    }
    case 'team': {
      if (jiraValue === null || jiraValue === undefined) return value(null);
      const id = isRecord(jiraValue) && typeof jiraValue.id === 'string' ? jiraValue.id : typeof jiraValue === 'string' ? jiraValue : undefined;
      if (id === undefined) return fail(`${label} does not hold a team`);
      const tool = compile(t, () => pairTables(t.table)).toTool.get(norm(id));
      const name = isRecord(jiraValue) && typeof jiraValue.name === 'string' ? jiraValue.name : id;
      return tool === undefined ? skip(`Jira team ${quote(name)} has no row in the team table`) : value(tool);
    }
  }
}

function userToTool(label: string, jiraValue: unknown, ctx: ToolValueContext | undefined): ToolValueResult {
  if (jiraValue === null || jiraValue === undefined) return value(null);
  const user = isRecord(jiraValue) ? jiraValue : undefined;
  const accountId = typeof jiraValue === 'string' ? jiraValue : typeof user?.accountId === 'string' ? user.accountId : undefined;
  if (accountId === undefined) return fail(`${label} does not hold a user`);
  const email = ctx?.emailOf(accountId) ?? (typeof user?.emailAddress === 'string' && user.emailAddress !== '' ? user.emailAddress : undefined);
  if (email !== undefined) return value(email);
  const who = typeof user?.displayName === 'string' ? `${user.displayName} (${accountId})` : accountId;
  return skip(`The email of ${who} is not visible to Tandem, so ${label} is not sent`);
}

/** Accepts the snapshot's `{name, categoryKey}` or Jira's raw `{name, statusCategory: {key}}`. */
function statusToTool(t: TransformOf<'status'>, jiraValue: unknown): ToolValueResult {
  if (!isRecord(jiraValue)) return fail('Status does not hold a status');
  const name = typeof jiraValue.name === 'string' ? jiraValue.name : undefined;
  const category =
    typeof jiraValue.categoryKey === 'string'
      ? jiraValue.categoryKey
      : isRecord(jiraValue.statusCategory) && typeof jiraValue.statusCategory.key === 'string'
        ? jiraValue.statusCategory.key
        : undefined;
  const byName = name === undefined ? undefined : statusTables(t).toTool.get(norm(name));
  if (byName !== undefined) return value(byName);
  const byCategory = category === 'new' || category === 'indeterminate' || category === 'done' ? t.categoryToTool[category] : undefined;
  if (byCategory !== undefined) return value(byCategory);
  return skip(`Jira status ${quote(name ?? '?')} (category ${category ?? 'unknown'}) has no tool state in the status table`);
}

function optionToTool(t: TransformOf<'option'>, label: string, jiraValue: unknown): ToolValueResult {
  if (jiraValue === null || jiraValue === undefined) return value(null);
  const table = compile(t, () => pairTables(t.table)).toTool;
  const one = (item: unknown): string | SkipResult | ErrorResult => {
    const name = nameOf(item, 'value');
    if (name === undefined) return fail(`${label} does not hold a choice`);
    const mapped = table.get(norm(name));
    if (mapped !== undefined) return mapped;
    if (t.defaultTool !== undefined) return t.defaultTool;
    return t.unmatched === 'same' ? name : skip(`${label} choice ${quote(name)} has no row in the option table`);
  };
  if (!Array.isArray(jiraValue)) {
    const r = one(jiraValue);
    return typeof r === 'string' ? value(r) : r;
  }
  const out: string[] = [];
  for (const item of jiraValue) {
    const r = one(item);
    if (typeof r !== 'string') return r;
    out.push(r);
  }
  return value(out);
}
