// Which project mapping an issue falls under, and which ones serve a module of the tool.
import type { Connection, ProjectMapping } from './schema';

const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/**
 * The most specific project mapping for an issue: an exact issue type beats `*`. An issue type
 * that the matching mapping ignores does not sync at all (it does not fall through to another).
 * Issue type names compare without case, as Jira's do.
 */
export function findProjectMapping(
  connection: Pick<Connection, 'projects'>,
  issue: { projectKey: string; issueTypeName: string },
): ProjectMapping | undefined {
  const projectKey = issue.projectKey.toUpperCase();
  let any: ProjectMapping | undefined;
  for (const mapping of connection.projects) {
    if (mapping.projectKey !== projectKey) continue;
    if (mapping.issueType === '*') any ??= mapping;
    else if (sameName(mapping.issueType, issue.issueTypeName)) return ignores(mapping, issue.issueTypeName) ? undefined : mapping;
  }
  return any && !ignores(any, issue.issueTypeName) ? any : undefined;
}

function ignores(mapping: ProjectMapping, issueTypeName: string): boolean {
  return mapping.ignoredIssueTypes.some((type) => sameName(type, issueTypeName));
}

/** The project mappings that serve a module of the tool, in configuration order. */
export function mappingsForModule(connection: Pick<Connection, 'projects'>, module: string): ProjectMapping[] {
  return connection.projects.filter((mapping) => mapping.module === module);
}
