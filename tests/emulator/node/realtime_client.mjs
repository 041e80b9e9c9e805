// The openai Node SDK's browser-style realtime client (OpenAIRealtimeWebSocket: the
// "realtime" subprotocol, the key in a subprotocol, wss:// only) running a tool call
// against the emulator. Prints one JSON line: the answer's text and the event types seen.
import OpenAI from 'openai';
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';

const [baseURL, apiKey] = process.argv.slice(2);
const client = new OpenAI({ apiKey, baseURL });
const rt = new OpenAIRealtimeWebSocket({ model: 'gpt-realtime' }, client);
const seen = [];
const fail = (why) => {
  console.error(why, JSON.stringify(seen));
  process.exit(2);
};
setTimeout(() => fail('timed out'), 15000);

rt.on('error', (err) => fail(`error: ${err.message ?? JSON.stringify(err)}`));
rt.socket.addEventListener('open', () => {
  rt.send({
    type: 'session.update',
    session: {
      type: 'realtime',
      output_modalities: ['text'],
      tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }],
    },
  });
  rt.send({
    type: 'conversation.item.create',
    item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] },
  });
  rt.send({ type: 'response.create' });
});
rt.on('event', (event) => seen.push(event.type));
rt.on('response.done', (event) => {
  const [first] = event.response.output;
  if (first.type === 'function_call') {
    rt.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: first.call_id, output: 'sunny' },
    });
    rt.send({ type: 'response.create' });
    return;
  }
  console.log(JSON.stringify({ text: first.content[0].text, seen }));
  rt.close();
  process.exit(0);
});
