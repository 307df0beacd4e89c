// The issue actions, each in Jira's action dialog: "Link to a record…" (search the mapped module's
// records, see what linking does under the conflict policy, link) and "Unlink from Tandem" (end a
// link on both sides; nothing is deleted).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import Heading from '@atlaskit/heading';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { Anchor, Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import type { AdminError } from '../../../src/contract/admin';
import type { ConnectionSyncView, RecordCandidate } from '../../../src/contract/issue';
import { Button, Card, Refusal, SelectField, TextField } from '../../admin/src/ui';
import { call, closeAction } from './api';

const listStyles = xcss({ margin: 'space.0', paddingInlineStart: 'space.200' });

type Connections = { kind: 'loading' } | { kind: 'ready'; issueKey: string; canEdit: boolean; connections: ConnectionSyncView[] } | { kind: 'failed'; error: AdminError };

function useConnections(): { state: Connections; reload: () => void } {
  const [state, setState] = useState<Connections>({ kind: 'loading' });
  const reload = useCallback(() => {
    setState({ kind: 'loading' });
    void call('getIssueSync', {}).then((answer) =>
      setState(answer.ok ? { kind: 'ready', issueKey: answer.issueKey, canEdit: answer.canEdit, connections: answer.connections } : { kind: 'failed', error: answer.error }),
    );
  }, []);
  useEffect(reload, [reload]);
  return { state, reload };
}

/** What the last request answered when it was refused, and how to make it again. */
type Problem = { error: AdminError; again: () => void };

export function LinkAction() {
  const { state, reload } = useConnections();
  const [connectionId, setConnectionId] = useState<string | undefined>();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<{ records: RecordCandidate[]; policy: string; more: boolean } | undefined>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [done, setDone] = useState<string | undefined>();

  if (state.kind === 'loading') return <Spinner label="Loading" />;
  if (state.kind === 'failed') return <Refusal error={state.error} headingLevel="h2" onTryAgain={reload} />;
  const linkable = state.connections.filter((c) => c.linkableModule && !c.record);
  if (!state.canEdit) {
    return (
      <SectionMessage title="Link to a record" headingLevel="h2">
        Only people who can edit this issue can link it.
      </SectionMessage>
    );
  }
  if (linkable.length === 0) {
    return (
      <SectionMessage title="Link to a record" headingLevel="h2">
        This issue is linked already, or no connection maps its project and type.
      </SectionMessage>
    );
  }
  const chosen = linkable.find((c) => c.connectionId === connectionId) ?? linkable[0];
  if (!chosen) return null;

  async function search() {
    if (!chosen) return;
    setBusy(true);
    setProblem(undefined);
    const answer = await call('searchRecords', { connectionId: chosen.connectionId, query });
    if (answer.ok) setFound({ records: answer.records, policy: answer.conflictPolicy, more: answer.more === true });
    else setProblem({ error: answer.error, again: () => void search() });
    setBusy(false);
  }

  async function link(record: RecordCandidate) {
    if (!chosen) return;
    setBusy(true);
    setProblem(undefined);
    const answer = await call('linkRecord', { connectionId: chosen.connectionId, recordId: record.id });
    if (answer.ok) setDone(`Linked to ${answer.linked.number}${answer.linked.title ? ` · ${answer.linked.title}` : ''}. Tandem brings the two in line now.`);
    else setProblem({ error: answer.error, again: () => void link(record) });
    setBusy(false);
  }

  if (done) {
    return (
      <Stack space="space.150">
        <SectionMessage appearance="success" title="Linked" headingLevel="h2">
          {done}
        </SectionMessage>
        <Inline>
          <Button onClick={closeAction}>Close</Button>
        </Inline>
      </Stack>
    );
  }
  return (
    <Stack space="space.150">
      <Heading size="small" as="h2">
        Link {state.issueKey} to a record
      </Heading>
      {linkable.length > 1 && (
        <SelectField
          label="Connection"
          value={chosen.connectionId}
          options={linkable.map((c) => ({ value: c.connectionId, label: c.connectionName }))}
          onChange={(value) => {
            setConnectionId(value);
            setFound(undefined);
          }}
        />
      )}
      <form
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void search();
        }}
      >
        <Inline space="space.100" alignBlock="end">
          <TextField label={`${chosen.connectionName} ${chosen.linkableModule ?? ''} by number or text`} value={query} onChange={setQuery} testId="record-query" autoFocus />
          <Button appearance="primary" type="submit" isDisabled={busy}>
            Search
          </Button>
        </Inline>
      </form>
      {problem && <Refusal error={problem.error} onTryAgain={problem.again} />}
      {found && (
        <Stack space="space.100">
          <Text as="p">{found.policy}</Text>
          {found.records.length === 0 && <Text as="p">No record matches.</Text>}
          {found.records.map((record) => (
            <Card key={record.id} testId={`record-${record.id}`} label={`${record.number} ${record.title}`}>
              <Inline space="space.100" alignBlock="center">
                <Anchor href={record.url} target="_blank" rel="noreferrer">
                  {record.number}
                </Anchor>
                <Text>{record.title}</Text>
              </Inline>
              {record.linkedIssueKey ? (
                <Text as="p" size="small" color="color.text.subtle">
                  Linked to {record.linkedIssueKey} already.
                </Text>
              ) : (
                <>
                  {record.outcome.length === 0 ? (
                    <Text as="p" size="small" color="color.text.subtle">
                      The two hold the same values: linking changes nothing.
                    </Text>
                  ) : (
                    <Box as="ul" xcss={listStyles}>
                      {record.outcome.map((line) => (
                        <li key={line}>
                          <Text size="small" color="color.text.subtle">
                            {line}
                          </Text>
                        </li>
                      ))}
                    </Box>
                  )}
                  <Inline>
                    <Button isDisabled={busy} onClick={() => void link(record)}>
                      Link to {record.number}
                    </Button>
                  </Inline>
                </>
              )}
            </Card>
          ))}
          {found.more && (
            <Text as="p" size="small" color="color.text.subtle">
              More records may match: search for more of the number or title.
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}

export function UnlinkAction() {
  const { state, reload } = useConnections();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [done, setDone] = useState<string | undefined>();

  if (state.kind === 'loading') return <Spinner label="Loading" />;
  if (state.kind === 'failed') return <Refusal error={state.error} headingLevel="h2" onTryAgain={reload} />;
  if (!state.canEdit) {
    return (
      <SectionMessage title="Unlink from Tandem" headingLevel="h2">
        Only people who can edit this issue can unlink it.
      </SectionMessage>
    );
  }
  const issueKey = state.issueKey;
  const linked = state.connections.filter((c) => c.record);
  if (done) {
    return (
      <Stack space="space.150">
        <SectionMessage appearance="success" title="Unlinked" headingLevel="h2">
          {done}
        </SectionMessage>
        <Inline>
          <Button onClick={closeAction}>Close</Button>
        </Inline>
      </Stack>
    );
  }
  if (linked.length === 0) {
    return (
      <SectionMessage title="Unlink from Tandem" headingLevel="h2">
        This issue is not linked to any record.
      </SectionMessage>
    );
  }

  async function unlink(connection: ConnectionSyncView) {
    setBusy(true);
    setProblem(undefined);
    const answer = await call('unlinkRecord', { connectionId: connection.connectionId });
    if (answer.ok) setDone(`${issueKey} and ${connection.record?.number ?? 'the record'} no longer sync. Both are kept as they are.`);
    else setProblem({ error: answer.error, again: () => void unlink(connection) });
    setBusy(false);
  }

  return (
    <Stack space="space.150">
      <Heading size="small" as="h2">
        Unlink {issueKey}
      </Heading>
      <Text as="p">
        Unlinking stops the sync both ways. Nothing is deleted: the issue and the record stay as they are, and Tandem makes no new record for this issue until someone links it again.
      </Text>
      {problem && <Refusal error={problem.error} onTryAgain={problem.again} />}
      {linked.map((connection) => (
        <Card key={connection.connectionId} testId={`unlink-${connection.connectionId}`} label={connection.connectionName}>
          <Text as="p">
            {connection.connectionName}: {connection.record?.number}
            {connection.record?.title ? ` · ${connection.record.title}` : ''}
          </Text>
          <Inline>
            <Button appearance="warning" isDisabled={busy} onClick={() => void unlink(connection)}>
              Unlink from {connection.record?.number}
            </Button>
          </Inline>
        </Card>
      ))}
    </Stack>
  );
}
