// Ready-made connections an admin starts from and then adjusts. Each preset's tables follow the
// tool's own integration guide, so a new connection behaves the way that tool's users expect.
import { connectionSchema, type Connection, type ConnectionInput } from './schema';

export interface PresetInput {
  name: string;
  baseUrl: string;
  /** Defaults to a slug of the name. */
  id?: string;
}

export interface Preset {
  id: string;
  name: string;
  description: string;
  build(input: PresetInput): Connection;
}

/** A connection id from a name: `StackFlow (prod)` → `stackflow-prod`. */
export function connectionIdFrom(name: string, fallback: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64)
    .replace(/-+$/, '');
  return slug === '' ? fallback : slug;
}

const stackflowItsm: Preset = {
  id: 'stackflow-itsm',
  name: 'StackFlow ITSM',
  description:
    'OPS bugs ⇄ StackFlow incidents and INFRA tasks → changes; summary, description, priority (P1–P4), assignee by email and status, work notes as comments.',
  build(input) {
    const connection: ConnectionInput = {
      id: input.id ?? connectionIdFrom(input.name, 'stackflow'),
      name: input.name,
      protocol: 'record-rest',
      baseUrl: input.baseUrl,
      auth: { kind: 'bearer' },
      options: {
        syncComments: true,
        label: 'stackflow-sync',
        onJiraDelete: 'close',
        closedState: 'closed',
        conflictPolicy: 'newest-wins',
      },
      projects: [
        {
          projectKey: 'OPS',
          issueType: 'Bug',
          module: 'incidents',
          direction: 'both',
          fixedValues: { assignment_group: 'Platform Engineering', category: 'software' },
        },
        { projectKey: 'INFRA', issueType: 'Task', module: 'changes', direction: 'jira-to-tool' },
      ],
      fields: [
        { jira: 'summary', tool: 'short_description', direction: 'both', transform: { kind: 'text' } },
        { jira: 'description', tool: 'description', direction: 'both', transform: { kind: 'adf-markdown' } },
        {
          jira: 'priority',
          tool: 'priority',
          direction: 'both',
          transform: {
            kind: 'priority',
            table: [
              { tool: 'P1', jira: 'Highest' },
              { tool: 'P2', jira: 'High' },
              { tool: 'P3', jira: 'Medium' },
              { tool: 'P4', jira: 'Low' },
            ],
          },
        },
        { jira: 'assignee', tool: 'assigned_to', direction: 'both', transform: { kind: 'user-email' } },
        {
          jira: 'status',
          tool: 'state',
          direction: 'both',
          transform: {
            kind: 'status',
            toTool: [
              { jira: ['To Do', 'Open'], tool: 'new' },
              { jira: ['In Progress'], tool: 'in_progress' },
              { jira: ['Blocked', 'On Hold'], tool: 'on_hold' },
              { jira: ['Done', 'Resolved'], tool: 'resolved' },
              { jira: ['Closed'], tool: 'closed' },
            ],
            categoryToTool: { new: 'new', indeterminate: 'in_progress', done: 'resolved' },
            toJira: [
              { tool: 'new', jira: 'To Do', category: 'new' },
              { tool: 'in_progress', jira: 'In Progress', category: 'indeterminate' },
              { tool: 'on_hold', jira: 'Blocked', category: 'indeterminate' },
              { tool: 'resolved', jira: 'Done', category: 'done' },
              { tool: 'closed', jira: 'Closed', category: 'done' },
            ],
          },
        },
      ],
    };
    // Parsing fills every default, so the preset is exactly what a saved configuration reads back as.
    return connectionSchema.parse(connection);
  },
};

export const presets: Preset[] = [stackflowItsm];

export function findPreset(id: string): Preset | undefined {
  return presets.find((preset) => preset.id === id);
}
