// The script the host puts at the top of a Custom UI page's index.html. It plays the part of the
// bridge Jira gives every Custom UI iframe: @forge/bridge reads `globalThis.__bridge.callBridge`
// once, when each of its modules loads, so this must run before any of the page's own scripts.
//
// Every call goes to the host's /forge/bridge endpoint (which answers, or refuses an unknown type);
// the calls whose effect lives in the browser (theme attributes, event listeners, flags in the host
// page, history, navigation) are then completed here, with the payload's functions kept locally
// because they cannot travel as JSON.
import { createHash } from 'node:crypto';

export const BRIDGE_ENDPOINT = '/forge/bridge';

export interface BridgeScriptConfig {
  moduleKey: string;
  accountId: string;
  /** The issue an issue module's page is shown on. */
  issueKey?: string;
}

// Plain ES2017 in a string: it is served as-is, never bundled or transpiled.
const BRIDGE_SOURCE = String.raw`
(function () {
  'use strict';
  var config = __CONFIG__;
  var listeners = {};
  var flagActions = {};
  var channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('forge-devkit-events') : null;

  function deliver(event, payload) {
    (listeners[event] || []).slice().forEach(function (callback) {
      try { callback(payload); } catch (error) { console.error(error); }
    });
  }
  if (channel) {
    channel.onmessage = function (message) {
      var data = message.data;
      if (data && typeof data.event === 'string') deliver(data.event, data.payload);
    };
  }

  function toHostPage(message) {
    message.source = 'forge-devkit-frame';
    if (window.parent !== window) window.parent.postMessage(message, location.origin);
  }
  window.addEventListener('message', function (message) {
    var data = message.data;
    if (message.source !== window.parent || !data || data.source !== 'forge-devkit-host') return;
    if (data.kind === 'flagAction') {
      var actions = flagActions[String(data.id)];
      var action = actions && actions[data.index];
      if (action && typeof action.onClick === 'function') action.onClick();
    }
  });

  function memoryHistory() {
    var counter = 0;
    function entry(to, state, base) {
      var location = typeof to === 'string'
        ? (function () { var url = new URL(to, 'http://page' + base.pathname); return { pathname: url.pathname, search: url.search, hash: url.hash }; })()
        : { pathname: to.pathname || base.pathname, search: to.search || '', hash: to.hash || '' };
      location.state = state === undefined ? null : state;
      location.key = 'k' + (counter++);
      return location;
    }
    var entries = [{ pathname: '/', search: '', hash: '', state: null, key: 'default' }];
    var index = 0;
    var subscribers = [];
    var history = {
      action: 'POP',
      location: entries[0],
      get length() { return entries.length; },
      push: function (to, state) { entries.splice(index + 1); entries.push(entry(to, state, history.location)); index = entries.length - 1; notify('PUSH'); },
      replace: function (to, state) { entries[index] = entry(to, state, history.location); notify('REPLACE'); },
      go: function (n) { var next = Math.min(Math.max(index + n, 0), entries.length - 1); if (next !== index) { index = next; notify('POP'); } },
      goBack: function () { history.go(-1); },
      goForward: function () { history.go(1); },
      back: function () { history.go(-1); },
      forward: function () { history.go(1); },
      block: function () { return function () {}; },
      createHref: function (to) { return typeof to === 'string' ? to : (to.pathname || '') + (to.search || '') + (to.hash || ''); },
      listen: function (callback) {
        subscribers.push(callback);
        return function () { subscribers = subscribers.filter(function (s) { return s !== callback; }); };
      }
    };
    function notify(action) {
      history.action = action;
      history.location = entries[index];
      subscribers.slice().forEach(function (callback) { callback(history.location, action); });
    }
    return history;
  }

  function send(type, payload) {
    return fetch(config.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: type, payload: payload, moduleKey: config.moduleKey, accountId: config.accountId, issueKey: config.issueKey })
    }).then(function (response) {
      return response.text().then(function (text) {
        var answer = null;
        try { answer = JSON.parse(text); } catch (ignored) { /* reported below */ }
        if (answer && answer.ok === true) return answer.value;
        var message = answer && answer.error && typeof answer.error.message === 'string'
          ? answer.error.message
          : 'Bridge call "' + type + '" failed with HTTP ' + response.status;
        throw new Error(message);
      });
    });
  }

  function complete(type, payload, value) {
    var root = document.documentElement;
    switch (type) {
      case 'enableTheming':
        root.setAttribute('data-color-mode', value && value.colorMode === 'dark' ? 'dark' : 'light');
        if (!root.hasAttribute('data-theme')) root.setAttribute('data-theme', 'dark:dark light:light spacing:spacing typography:typography');
        return undefined;
      case 'on':
      case 'onPublic':
        (listeners[payload.event] = listeners[payload.event] || []).push(payload.callback);
        return { unsubscribe: function () { listeners[payload.event] = (listeners[payload.event] || []).filter(function (c) { return c !== payload.callback; }); } };
      case 'emit':
      case 'emitPublic':
        if (channel) channel.postMessage({ event: payload.event, payload: payload.payload });
        return undefined;
      case 'showFlag':
        flagActions[String(payload.id)] = payload.actions || [];
        toHostPage({ kind: 'showFlag', flag: JSON.parse(JSON.stringify(payload)) });
        return value;
      case 'closeFlag':
        delete flagActions[String(payload.id)];
        toHostPage({ kind: 'closeFlag', id: payload.id });
        return value;
      case 'changeWindowTitle':
        toHostPage({ kind: 'title', title: String(payload) });
        return undefined;
      case 'createHistory':
        return memoryHistory();
      case 'close':
        // Jira closes an action's dialog; the devkit's host page goes back to the issue.
        if (window.parent !== window) toHostPage({ kind: 'close' });
        else history.back();
        return undefined;
      case 'navigate':
      case 'reload':
        // Jira, not the iframe, navigates; opened on its own the page does it itself.
        if (window.parent !== window) toHostPage({ kind: type, url: value && value.url, type: value && value.type });
        else if (type === 'reload') location.reload();
        else if (value.type === 'new-tab') window.open(value.url, '_blank', 'noopener');
        else location.assign(value.url);
        return undefined;
      default:
        return value;
    }
  }

  window.__bridge = {
    callBridge: function (type, payload) {
      return send(type, payload).then(function (value) { return complete(type, payload, value); });
    }
  };
})();
`;

/** The inline script for one page, and the CSP source that lets exactly it run. */
export function bridgeScript(config: BridgeScriptConfig): { source: string; cspHash: string } {
  // `<` escaped so no value can close the <script> element early.
  const json = JSON.stringify({ ...config, endpoint: BRIDGE_ENDPOINT }).replace(/</g, '\\u003c');
  const source = BRIDGE_SOURCE.replace('__CONFIG__', () => json);
  const cspHash = `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;
  return { source, cspHash };
}
