// The web trigger the external tool calls (manifest: tandem-inbound). Every answer is JSON.
import { jsonAnswer, webTriggerRequestSchema, type WebTriggerResponse } from './schemas';

export async function onInbound(request: unknown): Promise<WebTriggerResponse> {
  const parsed = webTriggerRequestSchema.safeParse(request);
  if (!parsed.success) return jsonAnswer(400, { error: 'bad_request', message: 'The request could not be read' });
  const connectionId = parsed.data.userPath?.replace(/^\/+/, '') || parsed.data.queryParameters.connection?.[0];
  if (!connectionId) {
    return jsonAnswer(200, { service: 'tandem', message: 'Add /<connectionId> to this URL to send events for a connection' });
  }
  return jsonAnswer(404, { error: 'unknown_connection', message: `No connection ${connectionId.slice(0, 64)} is configured` });
}
