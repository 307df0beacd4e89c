// Connections: each with its health lamp; add from a preset (the ITSM preset first), edit, rename,
// set the token, test, disconnect and reconnect.
import { useCallback, useEffect, useState } from 'react';
import SectionMessage from '@atlaskit/section-message';
import { Fieldset } from '@atlaskit/form';
import { Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import { Radio } from '@atlaskit/radio';
import type { Connection, FailureEntry, InboundView, TestConnectionResponse } from '../../../../src/contract/admin';
import { call } from '../api';
import { formatDate, useAdmin } from '../admin-state';
import { Button, Card, Dialog, EmptyState, Lamp, SelectField, TextField, flag, type LampColour, CardTitle } from '../ui';
import { DirtyHint } from './common';

type TestResult = Omit<Extract<TestConnectionResponse, { ok: true }>, 'ok'>;

const listStyles = xcss({ margin: 'space.0', paddingInlineStart: 'space.250' });
const presetStyles = xcss({
  padding: 'space.100',
  borderRadius: 'radius.medium',
  borderWidth: 'border.width',
  borderStyle: 'solid',
  borderColor: 'color.border',
});
const secretFieldStyles = xcss({ minWidth: '280px', flexGrow: 1 });
const presetChosenStyles = xcss({ borderColor: 'color.border.selected' });

const isUrl = (value: string) => /^https?:\/\/[^\s/]+/.test(value.trim());

export function ConnectionsTab(props: { onOpen: (tab: 'mappings' | 'inbound' | 'settings', connectionId: string) => void }) {
  const admin = useAdmin();
  const [adding, setAdding] = useState(false);
  const [failures, setFailures] = useState<FailureEntry[]>([]);
  const [delivered, setDelivered] = useState<Record<string, string>>({});
  const [inbound, setInbound] = useState<InboundView[]>([]);
  const [tests, setTests] = useState<Record<string, TestResult>>({});

  const loadHealth = useCallback(async () => {
    const [f, i, t] = await Promise.all([call('getFailures', {}), call('getInbound', {}), call('getConnectionTests')]);
    if (f.ok) {
      setFailures(f.failures);
      setDelivered(f.delivered);
    }
    if (i.ok) setInbound(i.connections);
    if (t.ok) setTests((current) => ({ ...t.tests, ...current }));
  }, []);
  useEffect(() => {
    void loadHealth();
    // The lamps follow deliveries as they fail, retry and go through, without a reload.
    const timer = setInterval(() => void loadHealth(), HEALTH_REFRESH_MS);
    return () => clearInterval(timer);
  }, [loadHealth, admin.saved.revision]);

  const connections = admin.draft.connections;
  return (
    <Stack space="space.200">
      <Inline spread="space-between" alignBlock="center">
        <Text as="p" color="color.text.subtle">
          A connection links Jira to one external tool: where it is, how Tandem signs in, and what syncs.
        </Text>
        <Button appearance="primary" onClick={() => setAdding(true)} isDisabled={admin.dirty} testId="add-connection">
          Add connection
        </Button>
      </Inline>
      <DirtyHint />
      {connections.length === 0 && (
        <EmptyState
          title="Connect Tandem to your tool"
          action={
            <Button appearance="primary" onClick={() => setAdding(true)}>
              Add your first connection
            </Button>
          }
        >
          Start from a preset: it maps projects, fields, statuses and priorities the way the tool expects, and you adjust it afterwards. Then set the tool’s
          token, test the connection and give the tool Tandem’s inbound URL.
        </EmptyState>
      )}
      {connections.map((connection, index) => (
        <ConnectionCard
          key={connection.id}
          connection={connection}
          index={index}
          failures={failures.filter((f) => f.connectionId === connection.id)}
          deliveredAt={delivered[connection.id]}
          inbound={inbound.find((i) => i.connectionId === connection.id)}
          test={tests[connection.id]}
          onTested={(result) => setTests((t) => ({ ...t, [connection.id]: result }))}
          onOpen={props.onOpen}
        />
      ))}
      {adding && <AddConnectionDialog onClose={() => setAdding(false)} />}
    </Stack>
  );
}

/** How often the Connections tab looks at the connections' health. */
const HEALTH_REFRESH_MS = 4000;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/**
 * Kept failures: red. A delivery failing and being retried: amber, from its first failure. Green
 * once something went through (a test, an event from the tool, a retry that succeeded).
 */
function lampOf(
  connection: Connection,
  failures: FailureEntry[],
  deliveredAt: string | undefined,
  inbound: InboundView | undefined,
  test: TestResult | undefined,
): { colour: LampColour; label: string } {
  if (!connection.enabled) return { colour: 'grey', label: 'Disconnected' };
  const kept = failures.filter((f) => f.state === 'failed').length;
  const retrying = failures.length - kept;
  if (kept > 0) return { colour: 'red', label: `${plural(kept, 'failed delivery', 'failed deliveries')}${retrying > 0 ? `, ${retrying} retrying` : ''}` };
  if (retrying > 0) return { colour: 'yellow', label: `Retrying ${plural(retrying, 'delivery', 'deliveries')}` };
  // A failed test counts until a delivery goes through after it.
  if (test && test.verdict !== 'ok' && test.verdict !== 'not-testable' && !(deliveredAt && deliveredAt > test.testedAt)) return { colour: 'red', label: 'Test failed' };
  if (inbound?.lamp === 'refusing') return { colour: 'yellow', label: 'Refusing inbound events' };
  if (test?.verdict === 'ok' || inbound?.lamp === 'connected' || deliveredAt) return { colour: 'green', label: 'Healthy' };
  return { colour: 'grey', label: 'Not tested yet' };
}

function ConnectionCard(props: {
  connection: Connection;
  index: number;
  failures: FailureEntry[];
  deliveredAt: string | undefined;
  inbound: InboundView | undefined;
  test: TestResult | undefined;
  onTested: (result: TestResult) => void;
  onOpen: (tab: 'mappings' | 'inbound' | 'settings', connectionId: string) => void;
}) {
  const admin = useAdmin();
  const { connection, index } = props;
  const [editing, setEditing] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [testing, setTesting] = useState(false);
  const [switching, setSwitching] = useState(false);
  const [testError, setTestError] = useState<string>();
  const [deleting, setDeleting] = useState(false);
  const lamp = lampOf(connection, props.failures, props.deliveredAt, props.inbound, props.test);
  const at = `connections.${index}`;
  const hasErrors = admin.errorsUnder(at).length > 0;
  const address = connection.protocol === 'record-rest' ? connection.baseUrl : connection.webhook.pushUrl;

  const runTest = async () => {
    setTesting(true);
    setTestError(undefined);
    const answer = await call('testConnection', { connectionId: connection.id });
    setTesting(false);
    if (answer.ok) props.onTested(answer);
    else setTestError(answer.error.message);
  };

  const toggle = async () => {
    setSwitching(true);
    try {
      const answer = await call('setConnectionEnabled', { revision: admin.saved.revision, connectionId: connection.id, enabled: !connection.enabled });
      if (!answer.ok) return admin.showError(answer.error);
      admin.applySaved(answer);
      flag('success', connection.enabled ? `${connection.name} disconnected` : `${connection.name} reconnected`, connection.enabled ? 'Nothing syncs until you reconnect; links are kept.' : 'Syncing resumes where it stopped.');
    } finally {
      setSwitching(false);
    }
  };

  return (
    <Card testId={`connection-${connection.id}`} label={connection.name}>
      <Inline spread="space-between" alignBlock="start" shouldWrap>
        <Stack space="space.050">
          <CardTitle>{connection.name}</CardTitle>
          <Text size="small" color="color.text.subtle">
            {connection.protocol === 'record-rest' ? 'REST records' : 'Push (Jira webhook)'} · {address ?? 'no address'} · id {connection.id}
          </Text>
          <Lamp colour={lamp.colour} label={lamp.label} testId={`lamp-${connection.id}`} />
        </Stack>
        <Inline space="space.100" shouldWrap>
          <Button onClick={() => setEditing((e) => !e)} aria-expanded={editing}>
            {editing ? 'Close' : 'Edit'}
          </Button>
          <Button onClick={() => setRenaming(true)} isDisabled={admin.dirty}>
            Rename
          </Button>
          <Button onClick={() => void runTest()} isLoading={testing} isDisabled={admin.dirty || !connection.enabled} testId={`test-${connection.id}`}>
            Test connection
          </Button>
          <Button appearance={connection.enabled ? 'subtle' : 'primary'} onClick={() => void toggle()} isLoading={switching} isDisabled={admin.dirty}>
            {connection.enabled ? 'Disconnect' : 'Reconnect'}
          </Button>
          <Button appearance="subtle" onClick={() => setDeleting(true)} isDisabled={admin.dirty} testId={`delete-${connection.id}`}>
            Delete
          </Button>
        </Inline>
      </Inline>
      {hasErrors && !editing && (
        <Text color="color.text.danger" size="small">
          This connection has fields to fix. Open Edit, Mappings or Settings to see them.
        </Text>
      )}
      {testing && <Text color="color.text.subtle">Reaching {address}…</Text>}
      {props.test && !testing && (
        <SectionMessage headingLevel="h3"
          appearance={props.test.verdict === 'ok' ? 'success' : props.test.verdict === 'not-testable' ? 'information' : 'error'}
          title={props.test.verdict === 'ok' ? 'Connected' : props.test.verdict === 'not-testable' ? 'No test for this kind of connection' : 'The test did not pass'}
        >
          <Stack space="space.050">
            <Text as="p" testId={`test-result-${connection.id}`}>
              {props.test.message}
            </Text>
            {props.test.toolMessage && <Text as="p" color="color.text.subtle">The tool said: {props.test.toolMessage}</Text>}
            <Text as="p" size="small" color="color.text.subtlest">
              Tested {formatDate(props.test.testedAt)}
              {props.test.status ? ` · HTTP ${props.test.status}` : ''}
            </Text>
          </Stack>
        </SectionMessage>
      )}
      {testError && (
        <SectionMessage headingLevel="h3" appearance="error" title="The test could not run">
          <Text as="p">{testError}</Text>
        </SectionMessage>
      )}
      <TokenForm connection={connection} />
      {connection.protocol === 'jira-webhook' && connection.webhook.pushUrlSetAt && <PushUrlForm connection={connection} />}
      {editing && <ConnectionEditor connection={connection} index={index} />}
      <Inline space="space.100">
        <Button appearance="subtle" onClick={() => props.onOpen('mappings', connection.id)}>
          Mappings
        </Button>
        <Button appearance="subtle" onClick={() => props.onOpen('inbound', connection.id)}>
          Inbound
        </Button>
        <Button appearance="subtle" onClick={() => props.onOpen('settings', connection.id)}>
          Settings
        </Button>
      </Inline>
      {renaming && <RenameDialog connection={connection} onClose={() => setRenaming(false)} />}
      {deleting && <DeleteDialog connection={connection} onClose={() => setDeleting(false)} />}
    </Card>
  );
}

function TokenForm(props: { connection: Connection }) {
  const admin = useAdmin();
  const { connection } = props;
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (connection.auth.kind === 'none') {
    return (
      <Text size="small" color="color.text.subtle">
        Tandem signs in to this tool with nothing. Choose a sign-in under Edit if the tool needs a token.
      </Text>
    );
  }
  const setAt = connection.auth.secretSetAt;
  const store = async () => {
    if (secret.trim() === '') {
      setError('Paste the token the tool gave you.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const answer = await call('setConnectionSecret', { connectionId: connection.id, kind: 'auth', secret });
      if (!answer.ok) {
        setError(answer.error.fieldErrors?.[0]?.message ?? answer.error.message);
        return;
      }
      setSecret('');
      admin.applySaved(answer);
      flag('success', 'Token stored', `Tandem uses it from now on for ${connection.name}. It cannot be shown again.`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Inline space="space.100" alignBlock="end" shouldWrap>
      <Box xcss={secretFieldStyles}>
        <TextField
          label={setAt ? 'Replace the token' : 'Token'}
          type="password"
          value={secret}
          onChange={setSecret}
          error={error}
          hint={setAt ? `Token set on ${formatDate(setAt)}. It is never shown; paste a new one to replace it.` : 'No token yet. Paste the API token the tool gave you.'}
          testId={`token-${connection.id}`}
        />
      </Box>
      <Button onClick={() => void store()} isLoading={busy} isDisabled={admin.dirty}>
        {setAt ? 'Replace token' : 'Save token'}
      </Button>
    </Inline>
  );
}

/** A push URL that carries the tool's key is a secret: shown masked, replaced by pasting a new one. */
function PushUrlForm(props: { connection: Extract<Connection, { protocol: 'jira-webhook' }> }) {
  const admin = useAdmin();
  const { connection } = props;
  const [url, setUrl] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const store = async () => {
    if (url.trim() === '') return setError('Paste the push URL the tool gave you.');
    setBusy(true);
    setError(undefined);
    try {
      const answer = await call('setConnectionSecret', { connectionId: connection.id, kind: 'push-url', secret: url.trim() });
      if (!answer.ok) return setError(answer.error.message);
      setUrl('');
      admin.applySaved(answer);
      flag('success', 'Push URL replaced', `Tandem pushes to the new URL from now on. Its key cannot be shown again.`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Inline space="space.100" alignBlock="end" shouldWrap>
      <Box xcss={secretFieldStyles}>
        <TextField
          label="Replace the push URL"
          type="password"
          value={url}
          onChange={setUrl}
          error={error}
          hint={`The push URL carries the tool’s key, so it is kept secret (set on ${formatDate(connection.webhook.pushUrlSetAt)}): ${connection.webhook.pushUrl}`}
          testId={`push-url-${connection.id}`}
        />
      </Box>
      <Button onClick={() => void store()} isLoading={busy} isDisabled={admin.dirty}>
        Replace push URL
      </Button>
    </Inline>
  );
}

function ConnectionEditor(props: { connection: Connection; index: number }) {
  const admin = useAdmin();
  const { connection, index } = props;
  const at = `connections.${index}`;
  const edit = (change: (c: Connection) => void) =>
    admin.edit((draft) => {
      const target = draft.connections[index];
      if (target) change(target);
    });
  const auth = connection.auth;
  return (
    <Stack space="space.150">
      <TextField label="Name" value={connection.name} onChange={(v) => edit((c) => (c.name = v))} error={admin.errorAt(`${at}.name`)} />
      {connection.protocol === 'record-rest' ? (
        <TextField
          label="Base URL"
          type="url"
          value={connection.baseUrl}
          onChange={(v) => edit((c) => c.protocol === 'record-rest' && (c.baseUrl = v))}
          error={admin.errorAt(`${at}.baseUrl`) ?? (isUrl(connection.baseUrl) ? undefined : 'A web address starting with https://')}
          hint="Where the tool’s API lives, e.g. https://stackflow.example.com"
        />
      ) : (
        <TextField
          label="Push URL"
          type="url"
          readOnly={Boolean(connection.webhook.pushUrlSetAt)}
          hint={connection.webhook.pushUrlSetAt ? 'Kept secret and shown masked: replace it with “Replace push URL”.' : undefined}
          value={connection.webhook.pushUrl}
          onChange={(v) => edit((c) => c.protocol === 'jira-webhook' && (c.webhook.pushUrl = v))}
          error={admin.errorAt(`${at}.webhook.pushUrl`) ?? (isUrl(connection.webhook.pushUrl) ? undefined : 'A web address starting with https://')}
        />
      )}
      <SelectField
        label="How Tandem signs in to the tool"
        value={auth.kind}
        options={[
          { value: 'bearer', label: 'Bearer token' },
          { value: 'basic', label: 'User name and password (basic)' },
          { value: 'header', label: 'Token in a header of your choice' },
          { value: 'none', label: 'No sign-in' },
        ]}
        onChange={(kind) =>
          edit((c) => {
            const setAt = c.auth.kind === 'none' ? undefined : c.auth.secretSetAt;
            const keep = setAt ? { secretSetAt: setAt } : {};
            c.auth =
              kind === 'basic'
                ? { kind: 'basic', username: '', ...keep }
                : kind === 'header'
                  ? { kind: 'header', headerName: 'X-API-Key', ...keep }
                  : kind === 'none'
                    ? { kind: 'none' }
                    : { kind: 'bearer', ...keep };
          })
        }
      />
      {auth.kind === 'basic' && (
        <TextField label="User name" value={auth.username} onChange={(v) => edit((c) => c.auth.kind === 'basic' && (c.auth.username = v))} error={admin.errorAt(`${at}.auth.username`)} />
      )}
      {auth.kind === 'header' && (
        <TextField label="Header name" value={auth.headerName} onChange={(v) => edit((c) => c.auth.kind === 'header' && (c.auth.headerName = v))} error={admin.errorAt(`${at}.auth.headerName`)} />
      )}
      <Text size="small" color="color.text.subtle">
        Changes here are saved with “Save changes” at the top.
      </Text>
    </Stack>
  );
}

function DeleteDialog(props: { connection: Connection; onClose: () => void }) {
  const admin = useAdmin();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const submit = async () => {
    setBusy(true);
    try {
      const answer = await call('deleteConnection', { revision: admin.saved.revision, connectionId: props.connection.id });
      if (!answer.ok) return setError(answer.error.message);
      admin.applySaved(answer);
      const { links, failures } = answer.removed;
      flag('success', `${props.connection.name} deleted`, `${links} ${links === 1 ? 'link' : 'links'} and ${failures} kept ${failures === 1 ? 'failure' : 'failures'} went with it.`);
      props.onClose();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Delete ${props.connection.name}?`}
      onClose={props.onClose}
      footer={
        <>
          <Button appearance="subtle" onClick={props.onClose}>
            Cancel
          </Button>
          <Button appearance="danger" onClick={() => void submit()} isLoading={busy} testId="delete-connection-confirm">
            Delete connection
          </Button>
        </>
      }
    >
      <Stack space="space.100">
        <Text as="p">This removes the connection and everything Tandem keeps for it:</Text>
        <Box as="ul" xcss={listStyles}>
          <li>its settings, mappings and secrets (token, signing and inbound secrets, push URL);</li>
          <li>the links between Jira issues and the tool’s records, with their shadows (the last values synced);</li>
          <li>its kept failures, its activity lamp and the calls its inbound URL refused.</li>
        </Box>
        <Text as="p">
          The records in the tool and the Jira issues stay as they are. To pause syncing and keep the links instead, use Disconnect.
        </Text>
        {error && (
          <SectionMessage headingLevel="h3" appearance="error" title="Not deleted">
            <Text as="p">{error}</Text>
          </SectionMessage>
        )}
      </Stack>
    </Dialog>
  );
}

function RenameDialog(props: { connection: Connection; onClose: () => void }) {
  const admin = useAdmin();
  const [name, setName] = useState(props.connection.name);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    if (name.trim() === '') return setError('Give the connection a name.');
    setBusy(true);
    try {
      const answer = await call('renameConnection', { revision: admin.saved.revision, connectionId: props.connection.id, name: name.trim() });
      if (!answer.ok) return setError(answer.error.fieldErrors?.[0]?.message ?? answer.error.message);
      admin.applySaved(answer);
      flag('success', 'Connection renamed', `Its id stays ${props.connection.id}, so links and secrets are unchanged.`);
      props.onClose();
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog
      title={`Rename ${props.connection.name}`}
      onClose={props.onClose}
      footer={
        <>
          <Button appearance="subtle" onClick={props.onClose}>
            Cancel
          </Button>
          <Button appearance="primary" onClick={() => void submit()} isLoading={busy}>
            Rename
          </Button>
        </>
      }
    >
      <TextField label="Name" value={name} onChange={setName} error={error} />
    </Dialog>
  );
}

function AddConnectionDialog(props: { onClose: () => void }) {
  const admin = useAdmin();
  const [presetId, setPresetId] = useState(admin.presets[0]?.id ?? '');
  const preset = admin.presets.find((p) => p.id === presetId);
  const [name, setName] = useState(preset?.name ?? '');
  const [url, setUrl] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  const nameError = fieldErrors.name ?? (touched && name.trim() === '' ? 'Give the connection a name' : undefined);
  const urlError = fieldErrors.url ?? (touched && !isUrl(url) ? 'A web address starting with https://' : undefined);

  const submit = async () => {
    setTouched(true);
    if (name.trim() === '' || !isUrl(url)) return;
    setBusy(true);
    setError(undefined);
    try {
      const answer = await call('addConnection', { revision: admin.saved.revision, presetId, name: name.trim(), url: url.trim() });
      if (!answer.ok) {
        setFieldErrors(Object.fromEntries((answer.error.fieldErrors ?? []).map((e) => [e.path, e.message])));
        setError(answer.error.message);
        return;
      }
      admin.applySaved(answer);
      flag('success', `${name.trim()} added`, 'Next: paste the tool’s token and test the connection.');
      props.onClose();
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      title="Add connection"
      onClose={props.onClose}
      footer={
        <>
          <Button appearance="subtle" onClick={props.onClose}>
            Cancel
          </Button>
          <Button appearance="primary" onClick={() => void submit()} isLoading={busy} testId="add-connection-submit">
            Add connection
          </Button>
        </>
      }
    >
      <Fieldset legend="Start from">
        <Stack space="space.100">
          {admin.presets.map((p) => (
            <Box key={p.id} xcss={[presetStyles, p.id === presetId ? presetChosenStyles : undefined]}>
              <Radio
                name="preset"
                value={p.id}
                isChecked={p.id === presetId}
                onChange={() => {
                  if (name === '' || name === preset?.name) setName(p.name);
                  setPresetId(p.id);
                }}
                label={
                  <Stack space="space.025">
                    <Text weight="bold">{p.name}</Text>
                    <Text size="small" color="color.text.subtle">
                      {p.description}
                    </Text>
                    <Text size="small" color="color.text.subtle" testId={`preset-describing-${p.id}`}>
                      {p.describing}
                    </Text>
                  </Stack>
                }
              />
            </Box>
          ))}
        </Stack>
      </Fieldset>
      <TextField label="Name" value={name} onChange={(v) => (setName(v), setFieldErrors({}))} error={nameError} hint="How this connection is called on this page and in the activity log." />
      <TextField
        label={preset?.needs === 'push-url' ? 'Push URL' : 'Tool address (base URL)'}
        type="url"
        value={url}
        onChange={(v) => (setUrl(v), setFieldErrors({}))}
        onBlur={() => url !== '' && setTouched(true)}
        error={urlError}
        placeholder="https://"
        hint={preset?.needs === 'push-url' ? 'Where Tandem sends each change.' : 'Where the tool’s API lives, e.g. https://stackflow.example.com'}
        testId="add-connection-url"
      />
      {error && Object.keys(fieldErrors).length === 0 && (
        <SectionMessage headingLevel="h3" appearance="error" title="Not added">
          <Text as="p">{error}</Text>
        </SectionMessage>
      )}
    </Dialog>
  );
}
