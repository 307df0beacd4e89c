// The "Tandem" panel on an issue: per connection, the linked record, the state in words, the last
// sync each way and the last few events; Sync now and Retry for people who can edit the issue.
import { useCallback, useEffect, useRef, useState } from 'react';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import { token } from '@atlaskit/tokens';
import type { ConnectionSyncView, IssueViewResponseBody, SyncStateName } from '../../../src/contract/issue';
import { Button, Card, Lozenge } from '../../admin/src/ui';
import { call } from './api';

const STATE: Record<SyncStateName, { label: string; appearance: 'success' | 'inprogress' | 'removed' | 'default' }> = {
  'in-sync': { label: 'In sync', appearance: 'success' },
  pending: { label: 'Pending', appearance: 'inprogress' },
  failed: { label: 'Failed', appearance: 'removed' },
  'not-synced': { label: 'Not synced', appearance: 'default' },
};

/** While something is pending the panel looks again this often, for at most two minutes. */
const POLL_MS = 2000;
const POLL_LIMIT = 60;

const when = (iso: string | undefined): string => (iso ? new Date(iso).toLocaleString() : 'never');

const subtle = { color: token('color.text.subtle', '#44546F'), fontSize: 12 };

type Loaded = { kind: 'loading' } | { kind: 'ready'; view: IssueViewResponseBody } | { kind: 'failed'; message: string };

export function Panel() {
  const [state, setState] = useState<Loaded>({ kind: 'loading' });
  const [busy, setBusy] = useState<string | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const polls = useRef(0);

  const load = useCallback(async () => {
    try {
      const answer = await call('getIssueSync', {});
      setState(answer.ok ? { kind: 'ready', view: answer } : { kind: 'failed', message: answer.error.message });
    } catch (error) {
      setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  const pending = state.kind === 'ready' && state.view.connections.some((c) => c.state === 'pending');
  useEffect(() => {
    if (!pending) {
      polls.current = 0;
      return;
    }
    if (polls.current >= POLL_LIMIT) return;
    const timer = setTimeout(() => {
      polls.current += 1;
      void load();
    }, POLL_MS);
    return () => clearTimeout(timer);
  }, [pending, state, load]);

  async function act(connection: ConnectionSyncView, kind: 'sync' | 'retry', failureId = connection.failureId) {
    setBusy(connection.connectionId);
    setMessage(undefined);
    try {
      const answer =
        kind === 'retry' && failureId
          ? await call('retrySync', { failureId })
          : await call('syncNow', { connectionId: connection.connectionId });
      if (!answer.ok) setMessage(answer.error.message);
      await load();
    } catch (error) {
      setMessage(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(undefined);
    }
  }

  if (state.kind === 'loading') return <Spinner label="Loading Tandem’s sync of this issue" />;
  if (state.kind === 'failed') return <SectionMessage appearance="warning" title="Tandem’s sync is not shown">{state.message}</SectionMessage>;
  const { view } = state;
  return (
    <Stack space="space.150">
      <h2 style={{ fontSize: 16, margin: 0 }}>Sync of {view.issueKey}</h2>
      {message && (
        <div role="alert">
          <SectionMessage appearance="error">{message}</SectionMessage>
        </div>
      )}
      {view.connections.length === 0 && <Text>No Tandem connection covers this issue’s project.</Text>}
      {view.connections.map((connection) => (
        <Card key={connection.connectionId} testId={`sync-${connection.connectionId}`} label={connection.connectionName}>
          <Inline space="space.100" alignBlock="center">
            <h3 style={{ fontSize: 14, margin: 0 }}>{connection.connectionName}</h3>
            <span data-state={connection.state}>
              <Lozenge appearance={STATE[connection.state].appearance}>{STATE[connection.state].label}</Lozenge>
            </span>
          </Inline>
          {connection.record && (
            <Text>
              Linked to{' '}
              <a href={connection.record.url} target="_blank" rel="noreferrer" style={{ textDecoration: 'underline' }}>
                {connection.record.number}
                {connection.record.title ? ` · ${connection.record.title}` : ''}
              </a>{' '}
              ({connection.record.module})
            </Text>
          )}
          <p style={{ margin: 0 }} data-testid="state-words">
            {connection.words}
            {connection.nextAttemptAt ? ` Next attempt: ${when(connection.nextAttemptAt)}.` : ''}
          </p>
          {connection.toolMessage && (
            <p style={{ margin: 0 }}>
              The tool said: <q>{connection.toolMessage}</q>
            </p>
          )}
          {connection.advice && <p style={{ margin: 0, ...subtle }}>{connection.advice}</p>}
          {connection.partFailures && connection.partFailures.length > 0 && (
            <ul style={{ margin: 0, paddingLeft: 16 }} aria-label="What did not sync" data-testid="part-failures">
              {connection.partFailures.map((part) => (
                <li key={part.failureId} style={{ marginBottom: 4 }}>
                  <strong>{part.what}</strong>: {part.words}
                  {part.nextAttemptAt ? ` Next attempt: ${when(part.nextAttemptAt)}.` : ''}
                  {part.toolMessage && (
                    <>
                      {' '}
                      The tool said: <q>{part.toolMessage}</q>
                    </>
                  )}{' '}
                  {view.canEdit && !part.retrying && (
                    <Button appearance="default" isDisabled={busy !== undefined} aria-label={`Retry ${part.what}`} onClick={() => void act(connection, 'retry', part.failureId)}>
                      Retry
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          )}
          <dl style={{ margin: 0, display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 8, ...subtle }}>
            <dt>Last sync to the tool</dt>
            <dd style={{ margin: 0 }}>{when(connection.lastToTool)}</dd>
            <dt>Last sync from the tool</dt>
            <dd style={{ margin: 0 }}>{when(connection.lastFromTool)}</dd>
          </dl>
          {connection.events.length > 0 && (
            <details>
              <summary>Last sync events</summary>
              <ul style={{ margin: 0, paddingLeft: 16, ...subtle }}>
                {connection.events.map((event) => (
                  <li key={`${event.at}-${event.summary}`}>
                    {when(event.at)} · {event.direction === 'outbound' ? 'to the tool' : 'from the tool'} · {event.outcome}: {event.summary}
                  </li>
                ))}
              </ul>
            </details>
          )}
          {view.canEdit ? (
            <Inline space="space.100">
              {connection.state === 'failed' && connection.failureId ? (
                <Button appearance="primary" isDisabled={busy !== undefined} onClick={() => void act(connection, 'retry')}>
                  Retry
                </Button>
              ) : (
                (connection.state === 'in-sync' || connection.state === 'pending' || connection.why === 'not-yet') && (
                  <Button isDisabled={busy !== undefined || connection.state === 'pending'} onClick={() => void act(connection, 'sync')}>
                    Sync now
                  </Button>
                )
              )}
            </Inline>
          ) : (
            <p style={{ margin: 0, ...subtle }}>Only people who can edit this issue can sync it.</p>
          )}
        </Card>
      ))}
    </Stack>
  );
}
