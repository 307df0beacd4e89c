// The page around a Custom UI iframe, drawn the way Jira frames an app's admin page: a product bar,
// a breadcrumb, the app's iframe filling the rest, and Jira's flags (from `showFlag`) bottom left.

export interface HostPageOptions {
  title: string;
  frameUrl: string;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Plain ES2017, served as-is. Flags arrive from the frame's bridge script by postMessage.
const HOST_SCRIPT = String.raw`
(function () {
  var frame = document.getElementById('forge-app');
  var flags = document.getElementById('flags');
  function closeFlag(id) {
    var el = flags.querySelector('[data-flag-id="' + CSS.escape(String(id)) + '"]');
    if (el) el.remove();
  }
  window.addEventListener('message', function (message) {
    var data = message.data;
    if (message.source !== frame.contentWindow || !data || data.source !== 'forge-devkit-frame') return;
    if (data.kind === 'title') document.title = data.title + ' - Jira';
    if (data.kind === 'closeFlag') closeFlag(data.id);
    if (data.kind === 'reload') location.reload();
    if (data.kind === 'close') history.back();
    if (data.kind === 'navigate') {
      if (data.type === 'new-tab') window.open(data.url, '_blank', 'noopener');
      else location.assign(data.url);
    }
    if (data.kind !== 'showFlag') return;
    var flag = data.flag;
    closeFlag(flag.id);
    var el = document.createElement('div');
    el.className = 'flag flag-' + (flag.appearance || flag.type || 'info');
    el.setAttribute('role', 'alert');
    el.setAttribute('data-flag-id', String(flag.id));
    var title = document.createElement('strong');
    title.textContent = flag.title || '';
    el.appendChild(title);
    if (flag.description) {
      var description = document.createElement('p');
      description.textContent = flag.description;
      el.appendChild(description);
    }
    (flag.actions || []).forEach(function (action, index) {
      var button = document.createElement('button');
      button.type = 'button';
      button.textContent = action.text;
      button.onclick = function () {
        frame.contentWindow.postMessage({ source: 'forge-devkit-host', kind: 'flagAction', id: flag.id, index: index }, location.origin);
      };
      el.appendChild(button);
    });
    var dismiss = document.createElement('button');
    dismiss.type = 'button';
    dismiss.className = 'dismiss';
    dismiss.setAttribute('aria-label', 'Dismiss');
    dismiss.textContent = '\u00d7';
    dismiss.onclick = function () { el.remove(); };
    el.appendChild(dismiss);
    flags.appendChild(el);
    if (flag.isAutoDismiss) setTimeout(function () { el.remove(); }, 8000);
  });
})();
`;

export function hostPageHtml({ title, frameUrl }: HostPageOptions): string {
  const safeTitle = escapeHtml(title);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>${safeTitle} - Jira</title>
<style>
  html, body { margin: 0; height: 100%; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, sans-serif; color: #172b4d; background: #fff; }
  body { display: flex; flex-direction: column; }
  header { display: flex; align-items: center; gap: 8px; height: 56px; padding: 0 16px; border-bottom: 1px solid #dfe1e6; box-sizing: border-box; flex: none; }
  header .product { font-weight: 600; color: #0c66e4; }
  header .sep { color: #626f86; }
  header .crumb { color: #44546f; }
  header .app { font-weight: 600; }
  iframe { flex: 1; width: 100%; border: 0; display: block; }
  #flags { position: fixed; left: 24px; bottom: 24px; display: flex; flex-direction: column-reverse; gap: 8px; width: 400px; }
  .flag { position: relative; padding: 16px 40px 16px 16px; border-radius: 4px; background: #fff; box-shadow: 0 8px 12px rgba(9,30,66,.15), 0 0 1px rgba(9,30,66,.31); border-left: 4px solid #1d7afc; }
  .flag-success { border-left-color: #22a06b; } .flag-warning { border-left-color: #e2b203; } .flag-error { border-left-color: #c9372c; }
  .flag p { margin: 4px 0 8px; } .flag button { margin-right: 8px; } .flag .dismiss { position: absolute; top: 8px; right: 8px; border: 0; background: none; font-size: 18px; cursor: pointer; }
</style>
</head>
<body>
<header aria-label="Jira">
  <span class="product">Jira</span><span class="sep">·</span><span class="crumb">Apps</span><span class="sep">·</span><span class="app">${safeTitle}</span>
</header>
<iframe id="forge-app" title="${safeTitle}" src="${escapeHtml(frameUrl)}"
  sandbox="allow-downloads allow-forms allow-modals allow-pointer-lock allow-popups allow-popups-to-escape-sandbox allow-same-origin allow-scripts allow-top-navigation-by-user-activation"></iframe>
<div id="flags" aria-live="polite"></div>
<script>${HOST_SCRIPT}</script>
</body>
</html>
`;
}
