// Comments and work notes, indexed by the tool's note id. Both directions write here: inbound when a
// tool comment becomes a Jira comment, outbound when a Jira comment becomes a work note. An inbound
// event about a note Tandem itself made from a Jira comment (a naive tool echoes it) finds the entry
// with origin `jira` and makes no second Jira comment.
import { z } from 'zod';
import type { StoreWrite } from './ports';
import { keyPart } from './state';

export const toolNoteKey = (connectionId: string, toolNoteId: string) => `tnote:${keyPart(connectionId)}:${keyPart(toolNoteId)}`;

export const toolNoteSchema = z.object({
  jiraCommentId: z.string(),
  issueId: z.string(),
  /** Where the text was written first: `tool` (inbound made the Jira comment) or `jira` (outbound made the note). */
  origin: z.enum(['tool', 'jira']).default('tool'),
  /** hashValue of the Markdown last applied, so a re-sent edit writes nothing. */
  hash: z.string().optional(),
});
export type ToolNote = z.infer<typeof toolNoteSchema>;

export function readToolNote(raw: unknown): ToolNote | undefined {
  const parsed = toolNoteSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

export function toolNoteWrite(connectionId: string, toolNoteId: string, note: ToolNote): StoreWrite {
  return { key: toolNoteKey(connectionId, toolNoteId), value: note };
}

export function toolNoteDelete(connectionId: string, toolNoteId: string): StoreWrite {
  return { key: toolNoteKey(connectionId, toolNoteId), delete: true };
}
