// Requests to the external tool, through Forge's egress (`api.fetch`), with a time limit.
import api, { getAppContext } from '@forge/api';
import * as z from 'zod';
import { ExternalFailure, type EgressPort } from '../ports';

/** What Tandem says of a tool address Forge cannot reach: Forge fetch is HTTPS only. */
const HTTPS_ONLY = 'Forge lets apps reach tools over HTTPS only: use an address that starts with https://';

const permissionsSchema = z.object({
  external: z.object({ fetch: z.object({ backend: z.array(z.union([z.string(), z.object({ address: z.string() })])).optional() }).optional() }).optional(),
});

/**
 * Plain http is reachable only where the platform itself lists the host with `http://` among the
 * app's backend permissions: never on Forge, only the devkit's sandbox and tests for their loopback tools.
 */
function plainHttpListed(url: URL): boolean {
  const permissions = permissionsSchema.safeParse(getAppContext().permissions ?? {});
  const backend = permissions.success ? (permissions.data.external?.fetch?.backend ?? []) : [];
  return backend.some((entry) => {
    const address = typeof entry === 'string' ? entry : entry.address;
    try {
      const listed = new URL(address);
      return listed.protocol === 'http:' && listed.hostname === url.hostname;
    } catch {
      return false;
    }
  });
}

export const forgeExternal: EgressPort = {
  addressRefusal(address) {
    let url: URL;
    try {
      url = new URL(address);
    } catch {
      return 'Not a web address';
    }
    if (url.protocol === 'https:' || (url.protocol === 'http:' && plainHttpListed(url))) return undefined;
    return HTTPS_ONLY;
  },

  async send(request) {
    const refusal = this.addressRefusal(request.url);
    if (refusal) throw new ExternalFailure('egress-denied', `${new URL(request.url).host}: ${refusal}`);
    const signal = AbortSignal.timeout(request.timeoutMs);
    try {
      const response = await api.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal,
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      return { status: response.status, headers, body: await response.text() };
    } catch (error) {
      if (signal.aborted) throw new ExternalFailure('timeout', `No answer from ${new URL(request.url).host} within ${request.timeoutMs / 1000} s`);
      if (error instanceof Error && error.name === 'REQUEST_EGRESS_ALLOWLIST_ERR') {
        throw new ExternalFailure('egress-denied', `Tandem's Forge permissions do not allow requests to ${new URL(request.url).host}`);
      }
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new ExternalFailure('network', `Could not reach ${new URL(request.url).host}: ${reason}`);
    }
  },
};
