// What the use cases need from the world. src/platform implements these with the Forge SDKs;
// tests hand in the same implementations running on the devkit, or plain in-memory ones.

export interface IssueSummary {
  id: string;
  key: string;
  summary: string;
  statusName: string;
}

export interface JiraPort {
  getIssueSummary(issueIdOrKey: string): Promise<IssueSummary | undefined>;
  /** True when the given user is a Jira administrator (asked as that user). */
  isAdmin(accountId: string): Promise<boolean>;
}

export interface StorePort {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
}

export interface QueuePort {
  push(body: Record<string, unknown>, delayInSeconds?: number): Promise<void>;
}

export interface ClockPort {
  now(): number;
}

export interface Ports {
  jira: JiraPort;
  store: StorePort;
  queue: QueuePort;
  clock: ClockPort;
}
