// Requests to the external tool, through Forge's egress (`api.fetch`), with a time limit.
import api from '@forge/api';
import { ExternalFailure, type ExternalPort } from '../sync/ports';

export const forgeExternal: ExternalPort = {
  async send(request) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), request.timeoutMs);
    try {
      const response = await api.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: controller.signal,
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name.toLowerCase()] = value;
      });
      return { status: response.status, headers, body: await response.text() };
    } catch (error) {
      if (controller.signal.aborted) throw new ExternalFailure('timeout', `No answer from ${new URL(request.url).host} within ${request.timeoutMs / 1000} s`);
      if (error instanceof Error && error.name === 'REQUEST_EGRESS_ALLOWLIST_ERR') {
        throw new ExternalFailure('egress-denied', `Tandem's Forge permissions do not allow requests to ${new URL(request.url).host}`);
      }
      const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new ExternalFailure('network', `Could not reach ${new URL(request.url).host}: ${reason}`);
    } finally {
      clearTimeout(timer);
    }
  },
};
