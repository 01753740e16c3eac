// Runs the graphql-http server audit (the GraphQL-over-HTTP spec) against
// the URL given as the first argument, with the headers given as a JSON
// object in the second, and prints each result as one JSON line:
// {"id","name","status":"ok"|"warn"|"error","reason"}.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const headers = JSON.parse(process.argv[3] || '{}');
const fetchWith = (input, init = {}) =>
  fetch(input, { ...init, headers: { ...headers, ...(init.headers || {}) } });

for (const audit of serverAudits({ url, fetchFn: fetchWith })) {
  const result = await audit.fn();
  console.log(JSON.stringify({
    id: audit.id,
    name: audit.name,
    status: result.status,
    reason: result.status === 'ok' ? undefined : result.reason,
  }));
}
