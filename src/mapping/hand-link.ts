// Linking an issue to an existing record by hand: the pair has no shadow, so every field the two
// hold differently is settled once, by the connection's conflict policy, and the shadow the new link
// starts from makes the ordinary deliveries carry each winner across: a field Jira keeps gets the
// record's hash (the next delivery sends Jira's value), a field the tool keeps gets Jira's
// hash (the record's delivery to Jira writes the tool's value). Pure: the sync layer reads both sides.
import { fieldMappingsFor } from './config';
import { hashValue } from './hash';
import { conflictWinner, referenceShadow, type Shadow } from './plan';
import type { Connection, ProjectMapping } from './schema';

export interface HandLinkField {
  jiraField: string;
  toolField: string;
  /** Which side's value both end up holding. */
  winner: 'jira' | 'tool';
  /** Why: the field syncs one way only, or the policy settled a difference. */
  because: 'one-way' | 'policy';
}

export interface HandLinkPlan {
  shadow: Shadow;
  /** The fields that differ, and which value each keeps. Fields the two hold alike are left out. */
  differing: HandLinkField[];
}

export function handLinkPlan(input: {
  connection: Connection;
  projectMapping: ProjectMapping;
  /** Jira's values as the shadow would hold them (planOutbound of a create). */
  jiraShadow: Shadow;
  /** The record's fields as the tool answered them. */
  record: Record<string, unknown>;
  jiraUpdatedAt: unknown;
  toolUpdatedAt: unknown;
}): HandLinkPlan {
  const { connection, projectMapping, jiraShadow, record } = input;
  const fields: Record<string, string> = { ...jiraShadow.fields };
  const differing: HandLinkField[] = [];
  const policy = connection.options.conflictPolicy;
  for (const mapping of fieldMappingsFor(connection, projectMapping)) {
    const jiraHash = jiraShadow.fields[mapping.tool];
    const value = record[mapping.tool];
    const toolHash = value === undefined ? undefined : hashValue(value);
    if (jiraHash !== undefined && toolHash === jiraHash) continue;
    // A field the project mapping does not send one way is never settled that way.
    const towardsTool = mapping.direction !== 'tool-to-jira' && projectMapping.direction !== 'tool-to-jira' && jiraHash !== undefined;
    const towardsJira = mapping.direction !== 'jira-to-tool' && projectMapping.direction !== 'jira-to-tool' && toolHash !== undefined;
    if (!towardsTool && !towardsJira) continue;
    const winner = towardsTool && towardsJira ? conflictWinner(policy, { jiraUpdatedAt: input.jiraUpdatedAt, toolUpdatedAt: input.toolUpdatedAt }) : towardsTool ? 'jira' : 'tool';
    differing.push({ jiraField: mapping.jira, toolField: mapping.tool, winner, because: towardsTool && towardsJira ? 'policy' : 'one-way' });
    if (winner === 'jira' && toolHash !== undefined) fields[mapping.tool] = toolHash;
    else if (winner === 'jira') delete fields[mapping.tool];
    // The tool's value wins: the shadow keeps Jira's hash (absent when Jira could not say), so the record's delivery writes it.
  }
  // The record's reference to the issue is Jira's to write: held as the record has it, so the next delivery writes it.
  Object.assign(fields, referenceShadow(connection, record));
  return { shadow: { fields, updatedAt: jiraShadow.updatedAt }, differing };
}

/** One line per differing field, in the words the link dialog shows before the link is made. */
export function handLinkWords(plan: HandLinkPlan, policy: string): string[] {
  return plan.differing.map((f) =>
    f.because === 'one-way'
      ? `${f.jiraField}: ${f.winner === 'jira' ? 'Jira’s value is sent to the record' : 'the record’s value is written to Jira'} (the field syncs one way).`
      : `${f.jiraField}: differs; ${f.winner === 'jira' ? 'Jira’s value is sent to the record' : 'the record’s value is written to Jira'} (${policy}).`,
  );
}
