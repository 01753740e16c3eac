// graphql-sse in distinct connections mode, as a front end's client runs
// it over fetch. Prints one JSON object a line.
//
//   node sse.mjs <url> <token> <venueId> <count>
//     subscribes to venueChanged and prints {"next": result} for each event;
//     after <count> events it unsubscribes and prints
//     {"done": events, "connections": requests made}.
import { createClient } from 'graphql-sse';

const [url, token, venue, count] = process.argv.slice(2);
const out = (v) => process.stdout.write(JSON.stringify(v) + '\n');
let connections = 0;
const client = createClient({
  url,
  headers: { Authorization: `Bearer ${token}` },
  fetchFn: (...a) => { connections++; return fetch(...a); },
});
let n = 0;
await new Promise((resolve, reject) => {
  const unsubscribe = client.subscribe({
    query: 'subscription VenueChanged($v: ID!) { venueChanged(venueId: $v) { id name } }',
    variables: { v: venue },
  }, {
    next: (r) => {
      out({ next: r });
      if (++n >= Number(count)) {
        unsubscribe();
        resolve();
      }
    },
    error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
    complete: () => resolve(),
  });
});
out({ done: n, connections });
client.dispose();
