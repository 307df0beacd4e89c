// Inbound for one connection: the URL the tool sends events to, the secret it signs them with
// (made here in the browser, shown once, rotated with the previous one accepted until retired),
// a ready curl command that signs a test event, and the "webhook connected" lamp.
import { useCallback, useEffect, useState } from 'react';
import SectionMessage from '@atlaskit/section-message';
import { Inline, Stack, Text } from '@atlaskit/primitives';
import type { InboundView } from '../../../../src/contract/admin';
import { call } from '../api';
import { formatDate, useAdmin } from '../admin-state';
import { Button, Card, CodeBlock, CopyButton, Dialog, Lamp, flag, CardTitle } from '../ui';
import { ConnectionPicker, NoConnection } from './common';

/** 32 random bytes, base64url: what the tool and Tandem share to sign events. */
export function generateSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A shell command that sends a `ping` test event the way the tool must: signed with HMAC-SHA256 over
 * "<t>.<raw body>", or with the secret as a Bearer token for connections set to Bearer.
 */
export function curlExample(url: string, secret: string, auth: 'hmac' | 'bearer' = 'hmac'): string {
  const lines = [
    `SECRET='${secret}'`,
    `T=$(date +%s)`,
    `BODY='{"eventId":"ping-'"$T"'","type":"ping","occurredAt":"'"$(date -u +%Y-%m-%dT%H:%M:%SZ)"'"}'`,
  ];
  if (auth === 'hmac') lines.push(`SIG=$(printf '%s.%s' "$T" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.* //')`);
  lines.push(`curl -sS -X POST '${url}' \\`, `  -H 'Content-Type: application/json' \\`);
  lines.push(auth === 'hmac' ? `  -H "X-Tandem-Signature: t=$T,v1=$SIG" \\` : `  -H "Authorization: Bearer $SECRET" \\`);
  lines.push(`  --data "$BODY"`);
  return lines.join('\n');
}

export function InboundTab(props: { connectionId: string | undefined; onSelectConnection: (id: string) => void; onAdd: () => void }) {
  const admin = useAdmin();
  const connection = admin.draft.connections.find((c) => c.id === props.connectionId);
  const saved = admin.saved.config.connections.some((c) => c.id === props.connectionId);
  const [view, setView] = useState<InboundView>();
  const [error, setError] = useState<string>();
  const [shown, setShown] = useState<string>();
  const [busy, setBusy] = useState<'rotate' | 'retire' | 'refresh'>();
  const [confirmRetire, setConfirmRetire] = useState(false);
  const [refused24h, setRefused24h] = useState<number>();

  const load = useCallback(async () => {
    if (!props.connectionId || !saved) return;
    setBusy('refresh');
    try {
      const [answer, refused] = await Promise.all([call('getInbound', { connectionId: props.connectionId }), call('getRefusedCalls', { connectionId: props.connectionId })]);
      setRefused24h(refused.ok ? refused.last24h : undefined);
      if (answer.ok) {
        setView(answer.connections[0]);
        setError(undefined);
      } else setError(answer.error.message);
    } finally {
      setBusy(undefined);
    }
  }, [props.connectionId, saved]);

  useEffect(() => {
    setShown(undefined);
    setView(undefined);
    void load();
  }, [load]);

  if (!connection) return <NoConnection onAdd={props.onAdd} what="Inbound URLs and secrets" />;
  const inboundAuth = connection.inbound?.auth ?? 'hmac';
  if (!saved) return <Text as="p">Save the new connection first; its inbound URL exists once it is saved.</Text>;

  const rotate = async () => {
    const secret = generateSecret();
    setBusy('rotate');
    try {
      const answer = await call('setInboundSecret', { connectionId: connection.id, secret });
      if (!answer.ok) return setError(answer.error.message);
      setView(answer.inbound);
      setShown(secret);
      flag('success', view?.secretSetAt ? 'Inbound secret rotated' : 'Inbound secret created', 'Copy it now: it is shown only once.');
    } finally {
      setBusy(undefined);
    }
  };

  const retire = async () => {
    setBusy('retire');
    try {
      const answer = await call('retirePreviousInboundSecret', { connectionId: connection.id });
      if (!answer.ok) return setError(answer.error.message);
      setView(answer.inbound);
      setConfirmRetire(false);
      flag('success', 'Previous secret retired', 'Events signed with it are refused from now on, and listed under Refused calls on the Activity tab.');
    } finally {
      setBusy(undefined);
    }
  };

  const lamp = view?.lamp;
  return (
    <Stack space="space.200">
      <ConnectionPicker connectionId={connection.id} onSelect={props.onSelectConnection} />
      {error && (
        <SectionMessage headingLevel="h3" appearance="error" title="Inbound settings could not be loaded">
          <Text as="p">{error}</Text>
        </SectionMessage>
      )}
      {view && (
        <>
          <Card label="Webhook status">
            <Inline spread="space-between" alignBlock="center">
              <Lamp
                testId="inbound-lamp"
                colour={lamp === 'connected' ? 'green' : lamp === 'refusing' ? 'red' : 'grey'}
                label={lamp === 'connected' ? 'Webhook connected' : lamp === 'refusing' ? 'Refusing events' : 'No event received yet'}
              />
              <Button onClick={() => void load()} isLoading={busy === 'refresh'}>
                Refresh
              </Button>
            </Inline>
            <Text as="p" color="color.text.subtle">
              {view.health.lastAcceptedAt ? `Last event accepted ${formatDate(view.health.lastAcceptedAt)}.` : 'No event has been accepted yet.'}{' '}
              {view.health.lastRefusedAt ? `Last refused ${formatDate(view.health.lastRefusedAt)}${view.health.lastRefusedReason ? `: ${view.health.lastRefusedReason}` : ''}.` : ''}
            </Text>
            {lamp === 'refusing' && <Text as="p">Check that the tool signs with the current secret and sends to the URL below.</Text>}
            {refused24h !== undefined && refused24h > 0 && (
              <Text as="p" testId="inbound-refused-24h">
                {refused24h === 1 ? '1 call was' : `${refused24h} calls were`} refused in the last 24 hours: Refused calls on the Activity tab says when and why.
              </Text>
            )}
          </Card>
          <Card label="Inbound URL">
            <CardTitle>Where the tool sends its events</CardTitle>
            <Inline space="space.100" alignBlock="center">
              <CodeBlock text={view.url} label="Inbound URL" testId="inbound-url" />
              <CopyButton text={view.url} label="Copy the inbound URL" />
            </Inline>
          </Card>
          <Card label="Inbound secret">
            <CardTitle>Secret</CardTitle>
            <Text as="p" color="color.text.subtle" testId="inbound-secret-state">
              {view.secretSetAt ? `Secret set on ${formatDate(view.secretSetAt)}.` : 'No secret yet: Tandem refuses every event until you create one.'}
            </Text>
            <Inline space="space.100">
              <Button appearance="primary" onClick={() => void rotate()} isLoading={busy === 'rotate'} testId="rotate-inbound-secret">
                {view.secretSetAt ? 'Rotate secret' : 'Create secret'}
              </Button>
            </Inline>
            {shown && (
              <SectionMessage headingLevel="h3" appearance="warning" title="Copy the secret now: it is shown only this once">
                <Stack space="space.100">
                  <Inline space="space.100" alignBlock="center">
                    <CodeBlock text={shown} label="New inbound secret" testId="inbound-secret" />
                    <CopyButton text={shown} label="Copy the secret" />
                  </Inline>
                  <Text as="p">
                    {inboundAuth === 'bearer'
                      ? 'Give it to the tool: it sends it as Authorization: Bearer <secret>. To check, this command sends a test event with it:'
                      : 'Give it to the tool: it signs each event with it. To check, this command signs and sends a test event:'}
                  </Text>
                  <CodeBlock text={curlExample(view.url, shown, inboundAuth)} label="curl example" testId="curl-example" />
                  <Inline>
                    <CopyButton text={curlExample(view.url, shown, inboundAuth)} label="Copy the curl command" />
                  </Inline>
                </Stack>
              </SectionMessage>
            )}
            {view.previousSecretSetAt && (
              <SectionMessage headingLevel="h3" appearance="information" title="The previous secret is still accepted">
                <Stack space="space.100">
                  <Text as="p">
                    The secret set on {formatDate(view.previousSecretSetAt)} still works, so the tool keeps working while you update it. Retire it once the
                    tool uses the new one.
                  </Text>
                  <Inline>
                    <Button onClick={() => setConfirmRetire(true)} testId="retire-inbound-secret">
                      Retire previous secret
                    </Button>
                  </Inline>
                </Stack>
              </SectionMessage>
            )}
          </Card>
          {confirmRetire && view.previousSecretSetAt && (
            <Dialog
              title="Retire the previous secret?"
              onClose={() => setConfirmRetire(false)}
              footer={
                <>
                  <Button appearance="subtle" onClick={() => setConfirmRetire(false)}>
                    Cancel
                  </Button>
                  <Button appearance="danger" onClick={() => void retire()} isLoading={busy === 'retire'} testId="retire-inbound-secret-confirm">
                    Retire secret
                  </Button>
                </>
              }
            >
              <Stack space="space.100">
                <Text as="p" testId="retire-inbound-secret-uses">
                  {usesText(view.previousSecretCalls24h ?? 0)}
                </Text>
                <Text as="p">Once retired, events signed with the secret set on {formatDate(view.previousSecretSetAt)} are refused.</Text>
              </Stack>
            </Dialog>
          )}
        </>
      )}
    </Stack>
  );
}

function usesText(calls: number): string {
  if (calls === 0) return 'No call was signed with the previous secret in the last 24 hours: the tool uses the new one.';
  return `${calls} ${calls === 1 ? 'call was' : 'calls were'} signed with the previous secret in the last 24 hours: the tool may still use it, and its events would be refused.`;
}
