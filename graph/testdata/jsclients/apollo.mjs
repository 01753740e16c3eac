// Apollo Client 4 with its HttpLink, as a front end's app code runs it.
//
//   node apollo.mjs <url> <username> <password>
//     queries the viewer with a forged bearer token and prints what the app
//     code can read of the error: {"forged": {"kind", "codes", "message"}};
//     then signs in, queries the viewer with the token and prints
//     {"signIn": payload, "viewer": data}.
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';

const [url, username, password] = process.argv.slice(2);
const out = (v) => process.stdout.write(JSON.stringify(v) + '\n');
const client = (token) => new ApolloClient({
  link: new HttpLink({ uri: url, headers: token ? { Authorization: `Bearer ${token}` } : {} }),
  cache: new InMemoryCache(),
});
const VIEWER = gql`query Viewer { viewer { account { id username } } }`;

function describe(e) {
  if (CombinedGraphQLErrors.is(e)) {
    return { kind: 'CombinedGraphQLErrors', codes: e.errors.map((x) => x.extensions?.code), message: e.message };
  }
  if (ServerError.is(e)) {
    return { kind: 'ServerError', status: e.statusCode, codes: [], message: e.message };
  }
  return { kind: e?.name ?? typeof e, codes: [], message: String(e?.message ?? e) };
}

let forged;
try {
  const r = await client('forged-token').query({ query: VIEWER });
  forged = { kind: 'none', data: r.data };
} catch (e) {
  forged = describe(e);
}
out({ forged });

const { data } = await client(null).mutate({
  mutation: gql`mutation SignIn($input: SignInInput!) {
    signIn(input: $input) { token viewer { account { id username } } userErrors { code message } }
  }`,
  variables: { input: { username, password } },
});
const token = data.signIn.token;
const viewer = token ? (await client(token).query({ query: VIEWER })).data : null;
out({ signIn: { viewer: data.signIn.viewer, userErrors: data.signIn.userErrors, signedIn: !!token }, viewer });
