// A session configured with a hosted MCP tool before it opens, with the openai Node SDK:
// "secret": a client secret minted with the tool (clientSecrets.create), then the browser-style
// websocket with that secret; "accept": a SIP call accepted with the tool (calls.accept), then
// the sideband by call id. The client sends no session.update: the session is configured.
// It asks once and prints one JSON line: the event types seen up to response.done, and the
// output items of that response.
import OpenAI from 'openai';
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';

const [mode, baseURL, apiKey, mcpURL, callId] = process.argv.slice(2);
const client = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
const tool = { type: 'mcp', server_label: 'notes', server_url: mcpURL, require_approval: 'never' };
const session = { type: 'realtime', output_modalities: ['text'], tools: [tool] };
const seen = [];
setTimeout(() => {
  console.log(JSON.stringify({ seen, timeout: true }));
  process.exit(3);
}, 15000);

let rt;
if (mode === 'secret') {
  const secret = await client.realtime.clientSecrets.create({ session });
  const browser = new OpenAI({ apiKey: secret.value, baseURL, maxRetries: 0 });
  rt = new OpenAIRealtimeWebSocket({ model: 'gpt-realtime' }, browser);
} else {
  await client.realtime.calls.accept(callId, session);
  rt = new OpenAIRealtimeWebSocket({ callID: callId }, client);
}
rt.on('error', (err) => seen.push(`error: ${err.message}`));
rt.on('event', (event) => seen.push(event.type));
rt.on('conversation.created', () => {
  rt.send({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Greeting?' }] },
  });
  rt.send({ type: 'response.create' });
});
rt.on('response.done', (event) => {
  console.log(JSON.stringify({ seen, output: event.response.output }));
  process.exit(0);
});
