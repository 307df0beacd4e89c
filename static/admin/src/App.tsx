import { useCallback, useEffect, useState } from 'react';
import Heading from '@atlaskit/heading';
import SectionMessage, { SectionMessageAction } from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { Box, Inline, Stack, Text, xcss } from '@atlaskit/primitives';
import type { ConfigView, Overview, PresetSummary } from '../../../src/contract/admin';
import { call } from './api';
import { getViewer, type Viewer } from './host';
import { AdminProvider, JiraMetaProvider, useAdmin, type DraftArea } from './admin-state';
import { ActivityTab } from './tabs/ActivityTab';
import { ConnectionsTab } from './tabs/ConnectionsTab';
import { InboundTab } from './tabs/InboundTab';
import { MappingsTab } from './tabs/MappingsTab';
import { SettingsTab } from './tabs/SettingsTab';
import { SyncExistingTab } from './tabs/SyncExistingTab';
import { Button, Tabs } from './ui';

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; overview: Overview; viewer: Viewer; config: ConfigView; presets: PresetSummary[] }
  | { kind: 'failed'; message: string };

const pageStyles = xcss({
  padding: 'space.300',
  maxWidth: '1200px',
  color: 'color.text',
});

const saveBarStyles = xcss({
  position: 'sticky',
  top: 'space.0',
  zIndex: 'card',
  padding: 'space.150',
  borderRadius: 'radius.large',
  backgroundColor: 'color.background.information',
});

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(async () => {
    setState({ kind: 'loading' });
    try {
      const [overview, viewer, config] = await Promise.all([call('getOverview'), getViewer(), call('getConfig')]);
      // A refusal (not a Jira admin) comes first: it says why nothing else is shown.
      if (!overview.ok) return setState({ kind: 'failed', message: overview.error.message });
      if (!config.ok) return setState({ kind: 'failed', message: config.error.message });
      const { presets, ok: _ok, ...view } = config;
      const { ok: _overviewOk, ...about } = overview;
      setState({ kind: 'ready', overview: about, viewer, config: view, presets });
    } catch (error) {
      // Only the host's own context can throw here; the backend's answers never do.
      setState({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Box xcss={pageStyles}>
      <Stack space="space.300">
        <Heading size="xlarge" as="h1">
          Tandem
        </Heading>
        {state.kind === 'loading' && <Spinner size="large" label="Loading Tandem" />}
        {state.kind === 'failed' && (
          <SectionMessage
            appearance="error"
            title="Tandem could not load its settings"
            headingLevel="h2"
            actions={[
              <SectionMessageAction key="retry" onClick={() => void load()}>
                Try again
              </SectionMessageAction>,
            ]}
          >
            <Text as="p">{state.message}</Text>
          </SectionMessage>
        )}
        {state.kind === 'ready' && (
          <AdminProvider initial={state.config} presets={state.presets}>
            <JiraMetaProvider>
              <Workspace overview={state.overview} viewer={state.viewer} onReload={() => void load()} />
            </JiraMetaProvider>
          </AdminProvider>
        )}
      </Stack>
    </Box>
  );
}

const TABS = [
  { id: 'connections', label: 'Connections' },
  { id: 'mappings', label: 'Mappings' },
  { id: 'inbound', label: 'Inbound' },
  { id: 'activity', label: 'Activity' },
  { id: 'sync-existing', label: 'Sync existing' },
  { id: 'settings', label: 'Settings' },
] as const satisfies ReadonlyArray<{ id: string; label: string }>;
type TabId = (typeof TABS)[number]['id'];

function Workspace(props: { overview: Overview; viewer: Viewer; onReload: () => void }) {
  const admin = useAdmin();
  const [tab, setTab] = useState<TabId>('connections');
  const [connectionId, setConnectionId] = useState<string | undefined>(admin.draft.connections[0]?.id);
  const connections = admin.draft.connections;
  const selected = connections.find((c) => c.id === connectionId) ?? connections[0];
  const conflict = admin.saveError?.code === 'CONFLICT';

  const open = (next: TabId, id?: string) => {
    if (id) setConnectionId(id);
    setTab(next);
  };

  return (
    <Stack space="space.200">
      <Inline space="space.200" alignBlock="center" shouldWrap>
        <Text weight="medium" testId="overview">
          Connections: {admin.saved.config.connections.length}
        </Text>
        <Text color="color.text.subtle" size="small">
          Signed in as {props.overview.viewer.displayName ?? 'a Jira administrator'}
        </Text>
        <Text color="color.text.subtlest" size="small">
          Version {props.overview.appVersion}
        </Text>
      </Inline>
      {admin.dirty && (
        <Box xcss={saveBarStyles} testId="save-bar" role="region" aria-label="Unsaved changes">
          <Inline space="space.150" alignBlock="center" spread="space-between">
            <Text weight="medium">You have unsaved changes.</Text>
            <Inline space="space.100">
              <Button appearance="subtle" onClick={admin.discard} isDisabled={admin.saving}>
                Discard
              </Button>
              <Button appearance="primary" onClick={() => void admin.save()} isLoading={admin.saving} testId="save-config">
                Save changes
              </Button>
            </Inline>
          </Inline>
        </Box>
      )}
      {admin.saveError && (
        <SectionMessage
          appearance={conflict ? 'warning' : 'error'}
          title={conflict ? 'Someone else saved first' : 'The configuration was not saved'}
          headingLevel="h2"
          {...(conflict
            ? {
                actions: [
                  <SectionMessageAction key="reload" onClick={props.onReload}>
                    Reload their version
                  </SectionMessageAction>,
                ],
              }
            : {})}
        >
          <Text as="p">{admin.saveError.message}</Text>
        </SectionMessage>
      )}
      <Tabs tabs={TABS.map((t) => ({ ...t, unsaved: admin.changed.has(t.id as DraftArea) }))} selected={tab} onSelect={(id) => setTab(id as TabId)}>
        <ConnectionsTab onOpen={open} />
        <MappingsTab connectionId={selected?.id} onSelectConnection={setConnectionId} onAdd={() => setTab('connections')} />
        <InboundTab connectionId={selected?.id} onSelectConnection={setConnectionId} onAdd={() => setTab('connections')} />
        <ActivityTab />
        <SyncExistingTab connectionId={selected?.id} onSelectConnection={setConnectionId} onAdd={() => setTab('connections')} />
        <SettingsTab connectionId={selected?.id} onSelectConnection={setConnectionId} onAdd={() => setTab('connections')} />
      </Tabs>
    </Stack>
  );
}
