// The modules: the "Tandem" panel (jira:issueContext) and the issue actions
// (jira:issueAction). Which one this page is comes from Forge's context.
import { useEffect, useState } from 'react';
import Spinner from '@atlaskit/spinner';
import SectionMessage from '@atlaskit/section-message';
import { Box, xcss } from '@atlaskit/primitives';
import { whichModule } from './api';
import { LinkAction, UnlinkAction } from './Actions';
import { Panel } from './Panel';

const pageStyles = xcss({ padding: 'space.100' });

export function App() {
  const [module, setModule] = useState<{ type: string; moduleKey: string } | { failed: string } | undefined>();
  useEffect(() => {
    whichModule().then(setModule, (error: unknown) => setModule({ failed: error instanceof Error ? error.message : String(error) }));
  }, []);
  let body;
  if (!module) body = <Spinner label="Loading" />;
  else if ('failed' in module) body = <SectionMessage appearance="error" title="Tandem could not start" headingLevel="h2">{module.failed}</SectionMessage>;
  else if (module.type === 'jira:issueContext') body = <Panel />;
  else if (module.moduleKey === 'tandem-unlink-record') body = <UnlinkAction />;
  else body = <LinkAction />;
  return (
    <Box as="main" xcss={pageStyles}>
      {body}
    </Box>
  );
}
