// The one parse of what Tandem reads of any issue: where it is (project, type), its status and the
// users its fields hold. REST answers and product events both go through it, so the use cases never
// guess at a field's shape.
import * as z from 'zod';
import type { IssueFacts, JiraUserRef } from '../ports';

const id = z.union([z.string(), z.number()]).transform(String);
const projectSchema = z.object({ id: id.optional(), key: z.string().min(1), name: z.string().optional(), self: z.string().optional() });
const issueTypeSchema = z.object({ id: id.optional(), name: z.string().min(1), subtask: z.boolean().optional() });
const statusSchema = z.object({ id: id.optional(), name: z.string(), statusCategory: z.object({ key: z.string() }).optional() });
const userSchema = z.object({ accountId: z.string().min(1), displayName: z.string().optional(), emailAddress: z.string().optional() });

/** Project, type, status and users of an issue's raw fields; a field of another shape counts as absent. */
export function issueFactsOf(fields: Record<string, unknown>): IssueFacts {
  const project = projectSchema.safeParse(fields.project);
  const issueType = issueTypeSchema.safeParse(fields.issuetype);
  const status = statusSchema.safeParse(fields.status);
  const users: Record<string, JiraUserRef> = {};
  for (const [fieldId, value] of Object.entries(fields)) {
    const user = userSchema.safeParse(value);
    if (!user.success) continue;
    const { accountId, displayName, emailAddress } = user.data;
    // An empty name is no name: product events carry users as their account id only.
    users[fieldId] = { accountId, ...(displayName ? { displayName } : {}), ...(emailAddress !== undefined ? { emailAddress } : {}) };
  }
  return {
    fields,
    ...(project.success ? { project: project.data } : {}),
    ...(issueType.success ? { issueType: issueType.data } : {}),
    status: status.success
      ? { ...(status.data.id !== undefined ? { id: status.data.id } : {}), name: status.data.name, categoryKey: status.data.statusCategory?.key ?? 'undefined' }
      : { name: '', categoryKey: 'undefined' },
    users,
  };
}
