import '@atlaskit/css-reset';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { followJiraTheme } from '../../admin/src/host';
import { App } from './App';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

// Render whatever the theme does: a host without theming must still show the page.
followJiraTheme().catch((error: unknown) => console.warn('Theme not applied:', error));

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
