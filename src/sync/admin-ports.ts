// What the admin use cases need beyond the sync ports: Jira's metadata for the page's pickers, and
// the inbound web trigger's address. src/platform/jira-meta.ts implements both on Forge.
import type { JiraBoardInfo, JiraFieldMeta, JiraIssueTypeInfo, JiraPriorityInfo, JiraProjectInfo, JiraStatusInfo } from '../contract/admin';
import type { Ports } from './ports';

export interface JiraMetaPort {
  projects(): Promise<JiraProjectInfo[]>;
  /** Undefined when Jira has no such project. */
  issueTypes(projectKey: string): Promise<JiraIssueTypeInfo[] | undefined>;
  /** Every status the project's workflows use, with its category. Undefined when Jira has no such project. */
  statuses(projectKey: string): Promise<JiraStatusInfo[] | undefined>;
  /** The project's boards (Jira Software's Agile REST API). Undefined when Jira has no such project. */
  boards(projectKey: string): Promise<JiraBoardInfo[] | undefined>;
  priorities(): Promise<JiraPriorityInfo[]>;
  fields(): Promise<JiraFieldMeta[]>;
  /** Jira's own parser on each query (strict validation): its errors and warnings, in Jira's words, in the order asked. */
  parseJql(queries: readonly string[]): Promise<JqlVerdict[]>;
  /** The display name of the admin using the page. */
  viewerName(): Promise<string | undefined>;
}

export interface JqlVerdict {
  errors: string[];
  warnings: string[];
}

export interface InboundAddressPort {
  /** The inbound web trigger's URL; a connection's events go to `<url>/<connectionId>`. */
  baseUrl(): Promise<string>;
}

export interface AdminPorts extends Ports {
  meta: JiraMetaPort;
  inbound: InboundAddressPort;
}
