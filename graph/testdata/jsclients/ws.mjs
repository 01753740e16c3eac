// graphql-ws (the graphql-transport-ws protocol) over the `ws` package, as
// a front end's client runs it. Prints one JSON object a line.
//
//   node ws.mjs events <url> <token> <venueId> <count>
//     subscribes to venueChanged and prints {"next": result} for each event;
//     after <count> events it unsubscribes and prints
//     {"done": events, "connections": websockets opened}.
//   node ws.mjs badtoken <url> <seconds>
//     subscribes with a forged token, with the client's default retry
//     settings, and after <seconds> prints {"connections", "closes", "error"}.
import WebSocket from 'ws';
import { createClient } from 'graphql-ws';

const [mode, url, ...args] = process.argv.slice(2);
const out = (v) => process.stdout.write(JSON.stringify(v) + '\n');
const query = 'subscription VenueChanged($v: ID!) { venueChanged(venueId: $v) { id name } }';
let connections = 0;
const closes = [];
const client = (token) => createClient({
  url: url.replace(/^http/, 'ws'),
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  on: {
    connecting: () => connections++,
    closed: (e) => closes.push({ code: e.code, reason: e.reason }),
  },
});

if (mode === 'events') {
  const [token, venue, count] = args;
  const c = client(token);
  let n = 0;
  await new Promise((resolve, reject) => {
    const unsubscribe = c.subscribe({ query, variables: { v: venue } }, {
      next: (r) => {
        out({ next: r });
        if (++n >= Number(count)) {
          unsubscribe();
          resolve();
        }
      },
      error: (e) => reject(new Error(`subscription failed: ${e.code ?? ''} ${e.reason ?? e.message ?? JSON.stringify(e)}`)),
      complete: () => resolve(), // early: the Go test sees done < count
    });
  });
  out({ done: n, connections, closes });
  await c.dispose();
} else if (mode === 'badtoken') {
  const [seconds] = args;
  const c = client('forged-token');
  let error = null;
  c.subscribe({ query, variables: { v: 'none' } }, {
    next: () => {},
    error: (e) => { error = { code: e.code, reason: e.reason, message: e.message }; },
    complete: () => {},
  });
  await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
  out({ connections, closes, error });
  await c.dispose();
} else {
  throw new Error(`unknown mode ${mode}`);
}
