// The one place the issue page invokes the backend, typed by the shared contract. A call the bridge
// could not make answers `{ok: false, error: {code: 'FAILED'}}` like any refusal, never throws.
import { view } from '@forge/bridge';
import type { IssueCallName, IssueCalls } from '../../../src/contract/issue';
import { invokeResolver } from '../../admin/src/api';

export async function call<K extends IssueCallName>(name: K, payload: IssueCalls[K]['request']): Promise<IssueCalls[K]['response']> {
  // The contract checks that every answer may be a failure with its code.
  return (await invokeResolver<IssueCalls[K]['response']>(name, payload)) as IssueCalls[K]['response'];
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
