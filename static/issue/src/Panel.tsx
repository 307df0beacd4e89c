// The "Tandem" panel on an issue: per connection, the linked record, the state in words, the last
// sync each way and the last few events; Sync now and Retry for people who can edit the issue.
import { useCallback, useEffect, useRef, useState } from 'react';
import Heading from '@atlaskit/heading';
import Spinner from '@atlaskit/spinner';
import { Anchor, Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import type { AdminError } from '../../../src/contract/admin';
import type { ConnectionSyncView, IssueViewResponseBody, SyncStateName } from '../../../src/contract/issue';
import { Button, Card, Lozenge, Refusal } from '../../admin/src/ui';
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

const listStyles = xcss({ margin: 'space.0', paddingInlineStart: 'space.200' });
const partStyles = xcss({ marginBlockEnd: 'space.050' });
const timesStyles = xcss({ margin: 'space.0', padding: 'space.0', display: 'grid', gridTemplateColumns: 'auto 1fr', columnGap: 'space.100' });
const flushStyles = xcss({ margin: 'space.0' });

type Loaded = { kind: 'loading' } | { kind: 'ready'; view: IssueViewResponseBody } | { kind: 'failed'; error: AdminError };

export function Panel() {
  const [state, setState] = useState<Loaded>({ kind: 'loading' });
  const [busy, setBusy] = useState<string | undefined>();
  const [problem, setProblem] = useState<{ error: AdminError; again: () => void } | undefined>();
  const polls = useRef(0);

  const load = useCallback(async () => {
    const answer = await call('getIssueSync', {});
    setState(answer.ok ? { kind: 'ready', view: answer } : { kind: 'failed', error: answer.error });
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
    setProblem(undefined);
    const answer = kind === 'retry' && failureId ? await call('retrySync', { failureId }) : await call('syncNow', { connectionId: connection.connectionId });
    if (!answer.ok) setProblem({ error: answer.error, again: () => void act(connection, kind, failureId) });
    await load();
    setBusy(undefined);
  }

  if (state.kind === 'loading') return <Spinner label="Loading Tandem’s sync of this issue" />;
  if (state.kind === 'failed') {
    return <Refusal error={state.error} title="Tandem’s sync is not shown" headingLevel="h2" onTryAgain={() => void load()} />;
  }
  const { view } = state;
  return (
    <Stack space="space.150">
      <Heading size="small" as="h2">
        Sync of {view.issueKey}
      </Heading>
      {problem && <Refusal error={problem.error} onTryAgain={problem.again} />}
      {view.connections.length === 0 && <Text as="p">No Tandem connection covers this issue’s project.</Text>}
      {view.connections.map((connection) => (
        <Card key={connection.connectionId} testId={`sync-${connection.connectionId}`} label={connection.connectionName}>
          <Inline space="space.100" alignBlock="center">
            <Heading size="xsmall" as="h3">
              {connection.connectionName}
            </Heading>
            <span data-state={connection.state}>
              <Lozenge appearance={STATE[connection.state].appearance}>{STATE[connection.state].label}</Lozenge>
            </span>
          </Inline>
          {connection.record && (
            <Text as="p">
              Linked to{' '}
              <Anchor href={connection.record.url} target="_blank" rel="noreferrer">
                {connection.record.number}
                {connection.record.title ? ` · ${connection.record.title}` : ''}
              </Anchor>{' '}
              ({connection.record.module})
            </Text>
          )}
          <Text as="p" testId="state-words">
            {connection.words}
            {connection.nextAttemptAt ? ` Next attempt: ${when(connection.nextAttemptAt)}.` : ''}
          </Text>
          {connection.toolMessage && (
            <Text as="p">
              The tool said: <q>{connection.toolMessage}</q>
            </Text>
          )}
          {connection.advice && (
            <Text as="p" size="small" color="color.text.subtle">
              {connection.advice}
            </Text>
          )}
          {connection.partFailures && connection.partFailures.length > 0 && (
            <Box as="ul" xcss={listStyles} aria-label="What did not sync" testId="part-failures">
              {connection.partFailures.map((part) => (
                <Box as="li" key={part.failureId} xcss={partStyles}>
                  <Text weight="bold">{part.what}</Text>: {part.words}
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
                </Box>
              ))}
            </Box>
          )}
          <Box as="dl" xcss={timesStyles}>
            <dt>
              <Text size="small" color="color.text.subtle">
                Last sync to the tool
              </Text>
            </dt>
            <Box as="dd" xcss={flushStyles}>
              <Text size="small" color="color.text.subtle">
                {when(connection.lastToTool)}
              </Text>
            </Box>
            <dt>
              <Text size="small" color="color.text.subtle">
                Last sync from the tool
              </Text>
            </dt>
            <Box as="dd" xcss={flushStyles}>
              <Text size="small" color="color.text.subtle">
                {when(connection.lastFromTool)}
              </Text>
            </Box>
          </Box>
          {connection.events.length > 0 && (
            <details>
              <summary>
                <Text>Last sync events</Text>
              </summary>
              <Box as="ul" xcss={listStyles}>
                {connection.events.map((event) => (
                  <li key={`${event.at}-${event.summary}`}>
                    <Text size="small" color="color.text.subtle">
                      {when(event.at)} · {event.direction === 'outbound' ? 'to the tool' : 'from the tool'} · {event.outcome}: {event.summary}
                    </Text>
                  </li>
                ))}
              </Box>
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
            <Text as="p" size="small" color="color.text.subtle">
              Only people who can edit this issue can sync it.
            </Text>
          )}
        </Card>
      ))}
    </Stack>
  );
}
