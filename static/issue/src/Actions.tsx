// The issue actions, each in Jira's action dialog: "Link to a record…" (search the mapped module's
// records, see what linking does under the conflict policy, link) and "Unlink from Tandem" (end a
// link on both sides; nothing is deleted).
import { useEffect, useState, type FormEvent } from 'react';
import SectionMessage from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import { token } from '@atlaskit/tokens';
import type { ConnectionSyncView, RecordCandidate } from '../../../src/contract/issue';
import { Button, Card, SelectField, TextField } from '../../admin/src/ui';
import { call, closeAction } from './api';

const subtle = { color: token('color.text.subtle', '#44546F'), fontSize: 12 };

type Connections = { kind: 'loading' } | { kind: 'ready'; issueKey: string; canEdit: boolean; connections: ConnectionSyncView[] } | { kind: 'failed'; message: string };

function useConnections(): Connections {
  const [state, setState] = useState<Connections>({ kind: 'loading' });
  useEffect(() => {
    call('getIssueSync', {}).then(
      (answer) => setState(answer.ok ? { kind: 'ready', issueKey: answer.issueKey, canEdit: answer.canEdit, connections: answer.connections } : { kind: 'failed', message: answer.error.message }),
      (error: unknown) => setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
    );
  }, []);
  return state;
}

function Problem({ children }: { children: string }) {
  return (
    <div role="alert">
      <SectionMessage appearance="error">{children}</SectionMessage>
    </div>
  );
}

export function LinkAction() {
  const state = useConnections();
  const [connectionId, setConnectionId] = useState<string | undefined>();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<{ records: RecordCandidate[]; policy: string; more: boolean } | undefined>();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();

  if (state.kind === 'loading') return <Spinner label="Loading" />;
  if (state.kind === 'failed') return <Problem>{state.message}</Problem>;
  const linkable = state.connections.filter((c) => c.linkableModule && !c.record);
  if (!state.canEdit) return <SectionMessage title="Link to a record">Only people who can edit this issue can link it.</SectionMessage>;
  if (linkable.length === 0) {
    return <SectionMessage title="Link to a record">This issue is linked already, or no connection maps its project and type.</SectionMessage>;
  }
  const chosen = linkable.find((c) => c.connectionId === connectionId) ?? linkable[0];
  if (!chosen) return null;

  async function search(event: FormEvent) {
    event.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const answer = await call('searchRecords', { connectionId: chosen.connectionId, query });
      if (answer.ok) setFound({ records: answer.records, policy: answer.conflictPolicy, more: answer.more === true });
      else setProblem(answer.error.message);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  }

  async function link(record: RecordCandidate) {
    if (!chosen) return;
    setBusy(true);
    setProblem(undefined);
    try {
      const answer = await call('linkRecord', { connectionId: chosen.connectionId, recordId: record.id });
      if (answer.ok) setDone(`Linked to ${answer.linked.number}${answer.linked.title ? ` · ${answer.linked.title}` : ''}. Tandem brings the two in line now.`);
      else setProblem(answer.error.message);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <Stack space="space.150">
        <SectionMessage appearance="success" title="Linked">{done}</SectionMessage>
        <Inline>
          <Button onClick={closeAction}>Close</Button>
        </Inline>
      </Stack>
    );
  }
  return (
    <Stack space="space.150">
      <h2 style={{ fontSize: 16, margin: 0 }}>Link {state.issueKey} to a record</h2>
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
      <form onSubmit={(e) => void search(e)}>
        <Inline space="space.100" alignBlock="end">
          <TextField label={`${chosen.connectionName} ${chosen.linkableModule ?? ''} by number or text`} value={query} onChange={setQuery} testId="record-query" autoFocus />
          <Button appearance="primary" type="submit" isDisabled={busy}>
            Search
          </Button>
        </Inline>
      </form>
      {problem && <Problem>{problem}</Problem>}
      {found && (
        <Stack space="space.100">
          <Text>{found.policy}</Text>
          {found.records.length === 0 && <Text>No record matches.</Text>}
          {found.records.map((record) => (
            <Card key={record.id} testId={`record-${record.id}`} label={`${record.number} ${record.title}`}>
              <Inline space="space.100" alignBlock="center">
                <a href={record.url} target="_blank" rel="noreferrer" style={{ textDecoration: 'underline' }}>
                  {record.number}
                </a>
                <Text>{record.title}</Text>
              </Inline>
              {record.linkedIssueKey ? (
                <p style={{ margin: 0, ...subtle }}>Linked to {record.linkedIssueKey} already.</p>
              ) : (
                <>
                  {record.outcome.length === 0 ? (
                    <p style={{ margin: 0, ...subtle }}>The two hold the same values: linking changes nothing.</p>
                  ) : (
                    <ul style={{ margin: 0, paddingLeft: 16, ...subtle }}>
                      {record.outcome.map((line) => (
                        <li key={line}>{line}</li>
                      ))}
                    </ul>
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
          {found.more && <p style={{ margin: 0, ...subtle }}>More records may match: search for more of the number or title.</p>}
        </Stack>
      )}
    </Stack>
  );
}

export function UnlinkAction() {
  const state = useConnections();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();
  const [done, setDone] = useState<string | undefined>();

  if (state.kind === 'loading') return <Spinner label="Loading" />;
  if (state.kind === 'failed') return <Problem>{state.message}</Problem>;
  if (!state.canEdit) return <SectionMessage title="Unlink from Tandem">Only people who can edit this issue can unlink it.</SectionMessage>;
  const linked = state.connections.filter((c) => c.record);
  if (done) {
    return (
      <Stack space="space.150">
        <SectionMessage appearance="success" title="Unlinked">{done}</SectionMessage>
        <Inline>
          <Button onClick={closeAction}>Close</Button>
        </Inline>
      </Stack>
    );
  }
  if (linked.length === 0) return <SectionMessage title="Unlink from Tandem">This issue is not linked to any record.</SectionMessage>;

  async function unlink(connection: ConnectionSyncView) {
    setBusy(true);
    setProblem(undefined);
    try {
      const answer = await call('unlinkRecord', { connectionId: connection.connectionId });
      if (answer.ok) setDone(`${state.kind === 'ready' ? state.issueKey : 'The issue'} and ${connection.record?.number ?? 'the record'} no longer sync. Both are kept as they are.`);
      else setProblem(answer.error.message);
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Stack space="space.150">
      <h2 style={{ fontSize: 16, margin: 0 }}>Unlink {state.issueKey}</h2>
      <Text>Unlinking stops the sync both ways. Nothing is deleted: the issue and the record stay as they are, and Tandem makes no new record for this issue until someone links it again.</Text>
      {problem && <Problem>{problem}</Problem>}
      {linked.map((connection) => (
        <Card key={connection.connectionId} testId={`unlink-${connection.connectionId}`} label={connection.connectionName}>
          <Text>
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
