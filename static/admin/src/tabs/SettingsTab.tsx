// Per connection: comments, the label, what deleting an issue does, who wins a conflict, and how
// events from the tool are checked and applied. And the
// whole configuration as JSON, to copy to another site (secrets stay behind).
import { useState } from 'react';
import SectionMessage from '@atlaskit/section-message';
import { Anchor, Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import { placeOfField, type ConnectionOptions, type FieldError, type InboundOptions } from '../../../../src/contract/admin';
import { call } from '../api';
import { useAdmin } from '../admin-state';
import { Button, Card, CheckboxField, SelectField, TextField, flag, CardTitle } from '../ui';
import { ConnectionPicker, DirtyHint, NoConnection } from './common';

const listStyles = xcss({ margin: 'space.0', paddingInlineStart: 'space.250' });

/** Sweep intervals in minutes, as the connection schema allows (5 minutes to a day); hourly when not set. */
const SWEEP_CHOICES = [5, 10, 15, 30, 60, 120, 240, 360, 720, 1440];
const DEFAULT_SWEEP_MINUTES = 60;
const sweepLabel = (minutes: number) => `Every ${minutes < 60 ? `${minutes} minutes` : minutes === 60 ? 'hour' : `${minutes / 60} hours`}${minutes === DEFAULT_SWEEP_MINUTES ? ' (default)' : ''}`;

/** As the connection schema allows: 1 to 10, 4 when not set. */
const DEFAULT_MAX_TRANSITIONS = 4;
const MAX_TRANSITIONS = 10;

export function SettingsTab(props: { connectionId: string | undefined; onSelectConnection: (id: string) => void; onAdd: () => void }) {
  const admin = useAdmin();
  const index = admin.draft.connections.findIndex((c) => c.id === props.connectionId);
  const connection = admin.draft.connections[index];
  const at = `connections.${index}.options`;
  const edit = (change: (o: ConnectionOptions) => void) =>
    admin.edit((draft) => {
      const target = draft.connections[index];
      if (target) change(target.options);
    });
  const editReference = (change: (c: { issueKeyField: string; issueUrlField: string }) => void) =>
    admin.edit((draft) => {
      const target = draft.connections[index];
      if (target?.protocol === 'record-rest') change(target);
    });
  const inbound: InboundOptions = connection?.inbound ?? defaultInbound();
  const editInbound = (change: (o: InboundOptions) => void) =>
    admin.edit((draft) => {
      const target = draft.connections[index];
      if (!target) return;
      target.inbound ??= defaultInbound();
      change(target.inbound);
    });
  return (
    <Stack space="space.200">
      {connection ? (
        <>
          <ConnectionPicker connectionId={connection.id} onSelect={props.onSelectConnection} />
          <Card label="Sync settings">
            <CardTitle>How {connection.name} syncs</CardTitle>
            <CheckboxField
              label="Sync comments"
              checked={connection.options.syncComments}
              onChange={(v) => edit((o) => (o.syncComments = v))}
              hint="Jira comments become the tool’s work notes, and back."
            />
            <TextField
              label="Label on synced issues"
              value={connection.options.label}
              onChange={(v) => edit((o) => (o.label = v))}
              error={admin.errorAt(`${at}.label`) ?? (/\s/.test(connection.options.label) ? 'A Jira label cannot contain spaces' : undefined)}
              hint="Added to every synced Jira issue, so you can find them. Leave empty for no label."
            />
            <SelectField
              label="When a linked Jira issue is deleted"
              value={connection.options.onJiraDelete}
              options={[
                { value: 'nothing', label: 'Leave the record as it is' },
                { value: 'close', label: 'Close the record' },
                { value: 'delete', label: 'Delete the record' },
              ]}
              onChange={(v) => edit((o) => (o.onJiraDelete = v as ConnectionOptions['onJiraDelete']))}
            />
            {connection.options.onJiraDelete === 'close' && (
              <TextField label="Closed state" value={connection.options.closedState} onChange={(v) => edit((o) => (o.closedState = v))} error={admin.errorAt(`${at}.closedState`)} hint="The tool’s state for a closed record." />
            )}
            <SelectField
              label="When a field changed on both sides"
              value={connection.options.conflictPolicy}
              options={[
                { value: 'jira-wins', label: 'Jira wins' },
                { value: 'tool-wins', label: 'The tool wins' },
                { value: 'newest-wins', label: 'The newest change wins' },
              ]}
              onChange={(v) => edit((o) => (o.conflictPolicy = v as ConnectionOptions['conflictPolicy']))}
              hint="Every conflict is written to the activity log either way."
            />
            <SelectField
              label="Reconciliation sweep"
              value={String(connection.options.sweepMinutes ?? DEFAULT_SWEEP_MINUTES)}
              options={SWEEP_CHOICES.map((m) => ({ value: String(m), label: sweepLabel(m) }))}
              onChange={(v) => edit((o) => (o.sweepMinutes = Number(v)))}
              error={admin.errorAt(`${at}.sweepMinutes`)}
              hint="How often Tandem compares recently changed issues and records with their last sync, to catch changes whose events never arrived. Its last run is on Activity."
            />
            {connection.protocol === 'record-rest' && (
              <>
                <TextField
                  label="Record field for the Jira issue key"
                  value={connection.issueKeyField}
                  onChange={(v) => editReference((c) => (c.issueKeyField = v))}
                  error={admin.errorAt(`connections.${index}.issueKeyField`)}
                  hint="Sent with a new record, and written back to a record Tandem made an issue from. Empty: never sent."
                />
                <TextField
                  label="Record field for the Jira issue address"
                  value={connection.issueUrlField}
                  onChange={(v) => editReference((c) => (c.issueUrlField = v))}
                  error={admin.errorAt(`connections.${index}.issueUrlField`)}
                  hint="Where the issue opens in Jira, written with the key. Empty: not sent."
                />
              </>
            )}
          </Card>
          <Card label="Events from the tool">
            <CardTitle>Events from {connection.name}</CardTitle>
            <SelectField
              label="How the tool proves its events"
              value={inbound.auth}
              options={[
                { value: 'hmac', label: 'Signed with the inbound secret (X-Tandem-Signature)' },
                { value: 'bearer', label: 'The inbound secret as a Bearer token' },
              ]}
              onChange={(v) => editInbound((o) => (o.auth = v as InboundOptions['auth']))}
              hint="Signing is safer; choose Bearer only for a tool that can send nothing but a fixed header."
            />
            <SelectField
              label="When a linked record is deleted in the tool"
              value={inbound.onToolDelete}
              options={[
                { value: 'nothing', label: 'Keep the Jira issue; only end the link' },
                { value: 'close', label: 'Move the Jira issue to done' },
                { value: 'delete', label: 'Delete the Jira issue' },
              ]}
              onChange={(v) => editInbound((o) => (o.onToolDelete = v as InboundOptions['onToolDelete']))}
            />
            <TextField
              label="Resolution for done transitions"
              value={inbound.resolution ?? ''}
              onChange={(v) =>
                editInbound((o) => {
                  if (v.trim() === '') delete o.resolution;
                  else o.resolution = v;
                })
              }
              error={admin.errorAt(`connections.${index}.inbound.resolution`)}
              hint="Set when a Jira transition asks for a resolution. Empty: Done when Jira offers it."
            />
            <SelectField
              label="Most transitions for one status change"
              value={String(inbound.maxTransitions ?? DEFAULT_MAX_TRANSITIONS)}
              options={Array.from({ length: MAX_TRANSITIONS }, (_, i) => ({ value: String(i + 1), label: i + 1 === DEFAULT_MAX_TRANSITIONS ? `${i + 1} (default)` : String(i + 1) }))}
              onChange={(v) => editInbound((o) => (o.maxTransitions = Number(v)))}
              error={admin.errorAt(`connections.${index}.inbound.maxTransitions`)}
              hint="Tandem takes the shortest way through the workflow, reopening when it must. A status farther away is listed with the failures, with what Jira offered."
            />
          </Card>
        </>
      ) : (
        <NoConnection onAdd={props.onAdd} what="Sync settings" />
      )}
      <ExportImport />
    </Stack>
  );
}

/** What a connection without inbound options reads as (the schema's defaults). */
function defaultInbound(): InboundOptions {
  return { auth: 'hmac', onToolDelete: 'nothing', createDefaults: {} };
}

function ExportImport() {
  const admin = useAdmin();
  const [exported, setExported] = useState<{ fileName: string; json: string }>();
  const [text, setText] = useState('');
  const [busy, setBusy] = useState<'export' | 'import'>();
  const [error, setError] = useState<string>();
  const [refused, setRefused] = useState<FieldError[]>([]);

  const runExport = async () => {
    setBusy('export');
    try {
      const answer = await call('exportConfig');
      if (!answer.ok) return setError(answer.error.message);
      setExported(answer);
    } finally {
      setBusy(undefined);
    }
  };

  const runImport = async () => {
    if (text.trim() === '') return setError('Paste an exported configuration first.');
    setBusy('import');
    setError(undefined);
    setRefused([]);
    try {
      const answer = await call('importConfig', { json: text, revision: admin.saved.revision });
      if (!answer.ok) {
        // Each refused field on its own line, so the file can be fixed in one go.
        const fields = answer.error.fieldErrors ?? [];
        setRefused(fields);
        return setError(fields.length > 0 ? `The configuration was not imported: ${fields.length === 1 ? 'one field was' : `${fields.length} fields were`} refused.` : answer.error.message);
      }
      admin.applySaved(answer);
      setText('');
      flag('success', 'Configuration imported', 'Set each connection’s token: secrets are never exported.');
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <Card label="Export and import">
      <CardTitle>Export and import</CardTitle>
      <Text as="p" color="color.text.subtle">
        The whole configuration as JSON, to keep or to copy to another site. Tokens and secrets are never exported; set them again after an import.
      </Text>
      <DirtyHint />
      <Inline space="space.100">
        <Button onClick={() => void runExport()} isLoading={busy === 'export'}>
          Export
        </Button>
      </Inline>
      {exported && (
        <Stack space="space.100">
          <TextField label={exported.fileName} value={exported.json} onChange={() => undefined} readOnly multiline />
          <Inline space="space.100">
            <Anchor href={`data:application/json;charset=utf-8,${encodeURIComponent(exported.json)}`} download={exported.fileName}>
              Download {exported.fileName}
            </Anchor>
          </Inline>
        </Stack>
      )}
      <TextField label="Configuration to import" value={text} onChange={setText} multiline hint="Paste an exported configuration. It replaces the current one after the same checks as a save." />
      <Inline>
        <Button onClick={() => void runImport()} isLoading={busy === 'import'} isDisabled={admin.dirty}>
          Import
        </Button>
      </Inline>
      {error && (
        <SectionMessage headingLevel="h3" appearance="error" title="Not imported">
          <Stack space="space.100">
            <Text as="p">{error}</Text>
            {refused.length > 0 && (
              <Box as="ul" xcss={listStyles} testId="import-refused">
                {refused.map((field) => (
                  <li key={`${field.path}:${field.message}`}>
                    <Text weight="bold">{field.path ? placeOfField(field.path) : 'The file'}</Text> ({field.path || 'whole configuration'}): {field.message}
                  </li>
                ))}
              </Box>
            )}
          </Stack>
        </SectionMessage>
      )}
    </Card>
  );
}
