// The web trigger the external tool calls (manifest: tandem-inbound). Every answer is JSON; the
// contract is docs/inbound-api.md and the work is src/sync/inbound.ts.
import { forgePorts } from '../platform/ports';
import { handleInbound } from '../sync/inbound';
import { refusal, type InboundAnswer } from '../sync/inbound-request';
import { jsonAnswer, webTriggerRequestSchema, type WebTriggerResponse } from './schemas';

export async function onInbound(request: unknown): Promise<WebTriggerResponse> {
  const parsed = webTriggerRequestSchema.safeParse(request);
  if (!parsed.success) return respond(refusal('bad_request', 'The request could not be read'));
  try {
    return respond(await handleInbound(forgePorts, parsed.data));
  } catch (error) {
    // Storage or the platform failed under us: say so plainly, with nothing from inside.
    console.error('The inbound web trigger failed', error instanceof Error ? error.message.slice(0, 300) : 'unknown error');
    return respond(refusal('unavailable', 'Tandem could not take the event right now; send it again later'));
  }
}

function respond(result: InboundAnswer): WebTriggerResponse {
  const response = jsonAnswer(result.status, result.body);
  if (result.status === 503) response.headers['Retry-After'] = ['60'];
  return response;
}
