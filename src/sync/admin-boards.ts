// The save's check of project mappings' boards against Jira Software (Agile REST API): the tool's
// sprint names are found among the sprints of the board a mapping names.
import type { FieldError, JiraBoardInfo } from '../contract/admin';
import { fieldMappingsFor, type TandemConfig } from '../mapping';
import type { JiraCheck } from './admin-config';
import type { AdminPorts } from './admin-ports';

/**
 * A project mapping's board must be a scrum board of its project: the tool's sprint names are found
 * among its sprints. A sprint field mapping with no board is saved with a warning.
 */
export async function checkJiraBoards(ports: AdminPorts, config: TandemConfig): Promise<JiraCheck> {
  const warnings: string[] = [];
  config.connections.forEach((connection) => {
    connection.projects.forEach((project) => {
      const mapsSprint = fieldMappingsFor(connection, project).some((m) => m.transform.kind === 'sprint' && m.direction !== 'jira-to-tool');
      if (mapsSprint && project.board === undefined) {
        warnings.push(`${connection.name}: the mapping of ${project.projectKey} (${project.issueType}) has no board, so sprint names from the tool cannot be found; choose the board on Mappings.`);
      }
    });
  });
  const keys = [...new Set(config.connections.flatMap((c) => c.projects.filter((p) => p.board !== undefined).map((p) => p.projectKey)))];
  if (keys.length === 0) return { errors: [], warnings };
  let boards: Map<string, JiraBoardInfo[] | undefined>;
  try {
    boards = new Map(await Promise.all(keys.map(async (key) => [key, await ports.meta.boards(key)] as const)));
  } catch {
    return { errors: [], warnings: [...warnings, 'Jira did not list its boards just now, so the boards were not checked.'] };
  }
  const errors: FieldError[] = [];
  config.connections.forEach((connection, c) => {
    connection.projects.forEach((project, p) => {
      if (project.board === undefined) return;
      const own = boards.get(project.projectKey);
      // A project Jira lacks is reported at the project key already.
      if (!own) return;
      const path = `connections.${c}.projects.${p}.board`;
      const board = own.find((b) => b.id === project.board);
      const listed = own.filter((b) => b.type === 'scrum').map((b) => `${b.name} (${b.id})`).join(', ') || 'none with sprints';
      if (!board) {
        // Jira lists boards by project: one of another project and one that does not exist look alike.
        errors.push({ path, message: `Board ${project.board} is not a board of ${project.projectKey} (Jira has no such board, or it belongs to another project); the boards of ${project.projectKey} with sprints: ${listed}` });
        return;
      }
      if (board.type !== 'scrum') errors.push({ path, message: `${board.name} (${board.id}) is a ${board.type} board, which has no sprints; the boards of ${project.projectKey} with sprints: ${listed}` });
    });
  });
  return { errors, warnings };
}
