// A SIP call handled with the openai Node SDK alone: the REST accept (with the model the
// call runs on), then the sideband websocket by call id (OpenAIRealtimeWebSocket({callID})),
// which repeats that model in its session.update, as an app that keeps one session config
// does. Prints one JSON line: the model session.created reports, and the update's outcome.
import OpenAI from 'openai';
import { OpenAIRealtimeWebSocket } from 'openai/realtime/websocket';

const [baseURL, apiKey, callId, model] = process.argv.slice(2);
const client = new OpenAI({ apiKey, baseURL, maxRetries: 0 });
const session = { type: 'realtime', model, instructions: 'Answer the phone.' };
const result = {};
const finish = async (code) => {
  console.log(JSON.stringify(result));
  process.exit(code);
};
setTimeout(() => finish(3), 15000);

await client.realtime.calls.accept(callId, session);
const rt = new OpenAIRealtimeWebSocket({ callID: callId }, client);
rt.on('error', (err) => {
  result.update = { error: err.error ?? err.message };
  finish(0);
});
rt.on('session.created', (event) => {
  result.created_model = event.session.model;
  rt.send({ type: 'session.update', session });
});
rt.on('session.updated', (event) => {
  result.update = { model: event.session.model };
  finish(0);
});
