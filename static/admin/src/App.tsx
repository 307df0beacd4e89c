import { useCallback, useEffect, useState } from 'react';
import Heading from '@atlaskit/heading';
import SectionMessage, { SectionMessageAction } from '@atlaskit/section-message';
import Spinner from '@atlaskit/spinner';
import { Box, Stack, Text, xcss } from '@atlaskit/primitives';
import { token } from '@atlaskit/tokens';
import { readAdminError, type OverviewResponse } from '../../../src/contract/admin';
import { getOverview } from './api/getOverview';
import { getViewer, type Viewer } from './host';

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; overview: OverviewResponse; viewer: Viewer }
  | { kind: 'failed'; message: string };

const pageStyles = xcss({
  padding: 'space.300',
  maxWidth: '960px',
});

const panelStyles = xcss({
  padding: 'space.200',
  borderRadius: 'radius.large',
  borderWidth: 'border.width',
  borderStyle: 'solid',
  borderColor: 'color.border',
  backgroundColor: 'elevation.surface.raised',
});

function messageOf(error: unknown): string {
  return readAdminError(error instanceof Error ? error.message : String(error)).text;
}

export function App() {
  const [state, setState] = useState<State>({ kind: 'loading' });

  const load = useCallback(async () => {
    setState({ kind: 'loading' });
    try {
      const [overview, viewer] = await Promise.all([getOverview(), getViewer()]);
      setState({ kind: 'ready', overview, viewer });
    } catch (error) {
      setState({ kind: 'failed', message: messageOf(error) });
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Box xcss={pageStyles} style={{ color: token('color.text', '#172B4D') }}>
      <Stack space="space.300">
        <Heading size="xlarge" as="h1">
          Tandem
        </Heading>
        {state.kind === 'loading' && <Spinner size="large" label="Loading Tandem" />}
        {state.kind === 'failed' && (
          <SectionMessage
            appearance="error"
            title="Tandem could not load its settings"
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
          <Box xcss={panelStyles} testId="overview">
            <Stack space="space.100">
              <Text as="p" weight="medium">
                Connections: {state.overview.connections}
              </Text>
              <Text as="p" color="color.text.subtle">
                Signed in as {state.viewer.accountId}
              </Text>
              <Text as="p" color="color.text.subtlest" size="small">
                Version {state.overview.appVersion}
              </Text>
            </Stack>
          </Box>
        )}
      </Stack>
    </Box>
  );
}
