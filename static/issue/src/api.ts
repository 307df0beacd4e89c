// The one place the issue page invokes the backend, typed by the shared contract.
import { invoke, view } from '@forge/bridge';
import type { IssueCallName, IssueCalls } from '../../../src/contract/issue';

export function call<K extends IssueCallName>(name: K, payload: IssueCalls[K]['request']): Promise<IssueCalls[K]['response']> {
  return invoke<IssueCalls[K]['response']>(name, payload as unknown as Record<string, never>) as Promise<IssueCalls[K]['response']>;
}

/** Which of the app's issue modules this page is: the panel, or one of the actions. */
export async function whichModule(): Promise<{ type: string; moduleKey: string }> {
  const context = await view.getContext();
  const extension = context.extension as { type?: unknown };
  return { type: typeof extension.type === 'string' ? extension.type : '', moduleKey: context.moduleKey };
}

/** Closes an issue action's dialog (Jira opens actions in a modal). */
export function closeAction(): void {
  view.close().catch(() => undefined);
}
