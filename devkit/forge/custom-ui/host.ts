// Hosts Custom UI pages the way Jira does, for the devkit's HTTP server:
//   GET  /forge/ui/<moduleKey>/<resourceKey>/...  the resource folder, with the bridge script injected
//   POST /forge/bridge                            what the page's @forge/bridge calls become
//   GET  /forge/page/<moduleKey>?accountId=...    a Jira-like page framing the app in an iframe
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { PageContext, ResolverInvoker } from '../types';
import { BRIDGE_ENDPOINT, bridgeScript } from './bridge-script';
import { hostPageHtml } from './host-page';

/** Forge refuses an invoke request above 500 KB; the host applies it to every bridge call. */
export const BRIDGE_BODY_LIMIT_BYTES = 500 * 1024;

export interface CustomUiHostOptions {
  /** Resource key (manifest `resources[].key`) → absolute folder of the built page. */
  resources: Record<string, string>;
  invokeResolver: ResolverInvoker;
  /** Throws when Jira would not show the page (an issue module on an issue the user cannot see). */
  context: (moduleKey: string, accountId: string, issueKey?: string) => PageContext;
  /** The Jira user a page is shown to when its URL names none (`?accountId=`). */
  defaultAccountId: string;
  /**
   * Module key → its resource and title (from the manifest). Used by /forge/page to pick the
   * resource and the breadcrumb; without it a module shows the only resource there is.
   */
  modules?: Record<string, { resource: string; title?: string }>;
  /**
   * The manifest's `permissions.content`. The page gets Forge's CSP: only its own scripts and
   * styles, plus inline ones where this allows `unsafe-inline`.
   */
  contentPermissions?: { scripts?: readonly string[]; styles?: readonly string[] };
}

export type CustomUiRequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface BridgeRequest {
  type: string;
  payload: unknown;
  moduleKey: string;
  accountId: string;
  /** The issue an issue module's page is shown on. */
  issueKey: string | undefined;
  /** Where the page is served from, for links back into the host. */
  origin: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

/** Reads the whole body, or fails once it passes `limit` (the rest is drained, not kept). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > limit) {
        reject(
          new HttpError(
            413,
            `Bridge request is ${Math.ceil(size / 1024)} KB; Forge allows at most ${limit / 1024} KB for an invoke payload`,
          ),
        );
      } else resolveBody(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function parseBridgeRequest(raw: Buffer, defaultAccountId: string, origin: string): BridgeRequest {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new HttpError(400, 'Bridge request is not JSON');
  }
  if (!isRecord(body) || typeof body.type !== 'string' || typeof body.moduleKey !== 'string') {
    throw new HttpError(400, 'Bridge request needs {type, payload, moduleKey, accountId}');
  }
  const accountId = typeof body.accountId === 'string' && body.accountId !== '' ? body.accountId : defaultAccountId;
  const issueKey = typeof body.issueKey === 'string' && body.issueKey !== '' ? body.issueKey : undefined;
  return { type: body.type, payload: body.payload, moduleKey: body.moduleKey, accountId, issueKey, origin };
}

/** A link target of @forge/bridge's router, as a URL in the devkit's Jira. */
function urlOf(location: unknown, context: PageContext, accountId: string, origin: string): string {
  if (typeof location === 'string') return location;
  if (!isRecord(location)) throw new Error('A navigation target is required');
  if (typeof location.url === 'string') return location.url;
  const site = context.siteUrl.replace(/\/$/, '');
  const field = (name: string): string => {
    const value = location[name];
    if (typeof value !== 'string' || value === '') throw new Error(`Navigation target "${String(location.target)}" needs ${name}`);
    return encodeURIComponent(value);
  };
  switch (location.target) {
    case 'issue':
      return `${site}/browse/${field('issueKey')}`;
    case 'dashboard':
      return `${site}/jira/dashboards/${field('dashboardId')}`;
    case 'userProfile':
      return `${site}/jira/people/${field('accountId')}`;
    case 'module':
      return `${origin}/forge/page/${field('moduleKey')}?accountId=${encodeURIComponent(accountId)}`;
    default:
      throw new Error(`Navigation target "${String(location.target)}" is not supported by the devkit host`);
  }
}

function contentSecurityPolicy(scriptHash: string, permissions: CustomUiHostOptions['contentPermissions']): string {
  const inline = (values: readonly string[] | undefined): string =>
    values?.includes('unsafe-inline') ? " 'unsafe-inline'" : '';
  // With 'unsafe-inline' allowed a hash would switch it off again, so the hash goes only without it.
  const scripts = inline(permissions?.scripts) || ` ${scriptHash}`;
  return [
    "default-src 'self'",
    `script-src 'self'${scripts}`,
    `style-src 'self'${inline(permissions?.styles)}`,
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}

/** Puts the bridge script first in <head>, ahead of every script of the page's own. */
function injectScript(html: string, source: string): string {
  const tag = `<script>${source}</script>`;
  const head = /<head\b[^>]*>/i.exec(html);
  if (head) return html.slice(0, head.index + head[0].length) + tag + html.slice(head.index + head[0].length);
  const root = /<html\b[^>]*>/i.exec(html);
  if (root) return html.slice(0, root.index + root[0].length) + `<head>${tag}</head>` + html.slice(root.index + root[0].length);
  return tag + html;
}

function decodeSegments(path: string): string[] {
  return path.split('/').map((segment) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new HttpError(400, 'Malformed path');
    }
    if (decoded === '..' || decoded.includes('/') || decoded.includes('\\') || decoded.includes('\0')) {
      throw new HttpError(404, 'Not found');
    }
    return decoded;
  });
}

export function createCustomUiHost(options: CustomUiHostOptions): CustomUiRequestHandler {
  const roots = new Map(Object.entries(options.resources).map(([key, dir]) => [key, resolve(dir)]));

  function resourceOf(moduleKey: string): string {
    const declared = options.modules?.[moduleKey];
    if (declared) return declared.resource;
    if (options.modules) throw new HttpError(404, `No Custom UI module "${moduleKey}"`);
    const only = [...roots.keys()];
    if (only.length === 1 && only[0] !== undefined) return only[0];
    throw new HttpError(404, `Module "${moduleKey}" has no resource: pass \`modules\` to the Custom UI host`);
  }

  async function serveResource(url: URL, res: ServerResponse, head: boolean): Promise<void> {
    const [moduleKey, resourceKey, ...rest] = decodeSegments(url.pathname.slice('/forge/ui/'.length));
    if (!moduleKey || !resourceKey) throw new HttpError(404, 'Not found');
    const root = roots.get(resourceKey);
    if (!root) throw new HttpError(404, `No resource "${resourceKey}"`);
    if (options.modules && options.modules[moduleKey]?.resource !== resourceKey) {
      throw new HttpError(404, `Module "${moduleKey}" does not use resource "${resourceKey}"`);
    }
    if (rest.length === 0) {
      // Relative asset URLs (Vite `base: './'`) resolve against the folder, so it needs its slash.
      res.writeHead(301, { location: `${url.pathname}/${url.search}` });
      res.end();
      return;
    }
    const relative = rest.join('/');
    const file = resolve(root, relative === '' ? 'index.html' : relative);
    if (file !== root && !file.startsWith(root + sep)) throw new HttpError(404, 'Not found');
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new HttpError(404, `Not found: ${relative === '' ? 'index.html' : relative}`);

    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const headers: Record<string, string> = {
      'content-type': type,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    };
    let body = await readFile(file);
    if (extname(file).toLowerCase() === '.html') {
      const accountId = url.searchParams.get('accountId') || options.defaultAccountId;
      const issueKey = url.searchParams.get('issueKey') || undefined;
      // Jira renders an issue's modules only where the user sees the issue.
      try {
        options.context(moduleKey, accountId, issueKey);
      } catch (error) {
        throw new HttpError(404, error instanceof Error ? error.message : String(error));
      }
      const script = bridgeScript({ moduleKey, accountId, ...(issueKey ? { issueKey } : {}) });
      body = Buffer.from(injectScript(body.toString('utf8'), script.source), 'utf8');
      headers['content-security-policy'] = contentSecurityPolicy(script.cspHash, options.contentPermissions);
    }
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(head ? undefined : body);
  }

  function servePage(url: URL, res: ServerResponse): void {
    const [moduleKey] = decodeSegments(url.pathname.slice('/forge/page/'.length));
    if (!moduleKey) throw new HttpError(404, 'Not found');
    const resourceKey = resourceOf(moduleKey);
    const accountId = url.searchParams.get('accountId') || options.defaultAccountId;
    const issueKey = url.searchParams.get('issueKey');
    const frameUrl =
      `/forge/ui/${encodeURIComponent(moduleKey)}/${encodeURIComponent(resourceKey)}/` +
      `?accountId=${encodeURIComponent(accountId)}${issueKey ? `&issueKey=${encodeURIComponent(issueKey)}` : ''}`;
    const html = hostPageHtml({ title: options.modules?.[moduleKey]?.title ?? moduleKey, frameUrl });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  }

  async function answerBridge(call: BridgeRequest): Promise<unknown> {
    const { type, payload, moduleKey, accountId, issueKey, origin } = call;
    const context = () => options.context(moduleKey, accountId, issueKey);
    switch (type) {
      case 'invoke': {
        if (!isRecord(payload) || typeof payload.functionKey !== 'string') {
          throw new Error('invoke needs a functionKey');
        }
        const value = await options.invokeResolver({
          moduleKey,
          functionKey: payload.functionKey,
          payload: payload.payload,
          accountId,
          ...(issueKey ? { issueKey } : {}),
        });
        // @forge/bridge asks for `{body, metadata}` only when it sent metadata.
        return payload.metadata === undefined ? value : { body: value, metadata: {} };
      }
      case 'getContext':
        return context();
      case 'enableTheming':
        return { colorMode: context().theme?.colorMode ?? 'light' };
      case 'showFlag':
      case 'closeFlag':
        return true;
      case 'on':
      case 'onPublic':
      case 'emit':
      case 'emitPublic':
      case 'changeWindowTitle':
      case 'createHistory':
      case 'emitReadyEvent':
      case 'emitFrontendCustomMetric':
      case 'reload':
      case 'close':
        return null;
      case 'getUrl':
        return urlOf(payload, context(), accountId, origin);
      case 'navigate': {
        const tab = isRecord(payload) && payload.type === 'new-tab' ? 'new-tab' : 'same-tab';
        return { url: urlOf(payload, context(), accountId, origin), type: tab };
      }
      case 'fetchProduct':
        throw new Error('requestJira (bridge call "fetchProduct") is not supported by the devkit host');
      case 'fetchRemote':
        throw new Error('requestRemote (bridge call "fetchRemote") is not supported by the devkit host');
      default:
        throw new Error(`Bridge call "${type}" is not supported by the devkit host`);
    }
  }

  async function serveBridge(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') throw new HttpError(405, 'The bridge takes POST');
    const origin = `http://${req.headers.host ?? 'localhost'}`;
    const call = parseBridgeRequest(await readBody(req, BRIDGE_BODY_LIMIT_BYTES), options.defaultAccountId, origin);
    try {
      sendJson(res, 200, { ok: true, value: (await answerBridge(call)) ?? null });
    } catch (error) {
      // A failed call is still an answer (HTTP 200), so the page sees only a rejected promise
      // carrying the resolver's message, as in Jira, and no failed request in its console.
      const message = error instanceof Error ? error.message : String(error);
      sendJson(res, 200, { ok: false, error: { message } });
    }
  }

  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://devkit.invalid');
    const path = url.pathname;
    const isBridge = path === BRIDGE_ENDPOINT;
    const isResource = path.startsWith('/forge/ui/');
    const isPage = path.startsWith('/forge/page/');
    if (!isBridge && !isResource && !isPage) return false;
    try {
      if (isBridge) {
        await serveBridge(req, res);
      } else {
        const method = req.method ?? 'GET';
        if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not allowed here`);
        if (isResource) await serveResource(url, res, method === 'HEAD');
        else servePage(url, res);
      }
    } catch (error) {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (res.headersSent) res.destroy();
      else if (isBridge) sendJson(res, status, { ok: false, error: { message } });
      else sendText(res, status, message);
    }
    return true;
  };
}
