// What the page asks of Jira itself (not of our backend): who is looking, and Jira's theme.
import { view } from '@forge/bridge';
import { setGlobalTheme } from '@atlaskit/tokens/set-global-theme';

export interface Viewer {
  accountId: string;
}

export async function getViewer(): Promise<Viewer> {
  const context = await view.getContext();
  return { accountId: context.accountId ?? '' };
}

type ColorMode = 'light' | 'dark';

function currentColorMode(): ColorMode {
  return document.documentElement.getAttribute('data-color-mode') === 'dark' ? 'dark' : 'light';
}

/**
 * Follows Jira's theme. `view.theme.enable()` makes Jira set (and keep updating) `data-color-mode`
 * on our <html>; `setGlobalTheme` loads the matching token CSS from our own bundle, so `token()`
 * values resolve even where the host did not inject the theme CSS.
 */
export async function followJiraTheme(): Promise<void> {
  await view.theme.enable();
  let applied = currentColorMode();
  await setGlobalTheme({ colorMode: applied });
  new MutationObserver(() => {
    const next = currentColorMode();
    // setGlobalTheme writes the attribute too; only react to a real change of mode.
    if (next === applied) return;
    applied = next;
    void setGlobalTheme({ colorMode: next });
  }).observe(document.documentElement, { attributes: true, attributeFilter: ['data-color-mode'] });
}
