// The GraphQL client: queries and mutations over HTTP, subscriptions over the
// graphql-transport-ws websocket (graphql-ws), both signed with the session's token.
import { Client, cacheExchange, fetchExchange, subscriptionExchange } from '@urql/vue'
import { createClient as createWSClient, type Client as WSClient } from 'graphql-ws'
import { session, setToken } from './session'
import { i18n } from './i18n'

let ws: WSClient | null = null
let wsToken = ''

function socket(): WSClient {
  if (ws && wsToken === session.token) return ws
  ws?.dispose()
  wsToken = session.token
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`
  ws = createWSClient({
    url,
    lazy: true,
    connectionParams: () => (session.token ? { Authorization: `Bearer ${session.token}` } : {}),
    retryAttempts: 10,
    shouldRetry: () => true,
  })
  return ws
}

function headers(): Record<string, string> {
  const h: Record<string, string> = { 'Accept-Language': String(i18n.global.locale.value) }
  if (session.token) h.Authorization = `Bearer ${session.token}`
  return h
}

export function makeClient(): Client {
  return new Client({
    url: '/graphql',
    // Every page shows what the server says now: no stale answers after a mutation.
    requestPolicy: 'cache-and-network',
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query || '' }
          return {
            subscribe(sink) {
              const dispose = socket().subscribe(input, sink)
              return { unsubscribe: dispose }
            },
          }
        },
      }),
    ],
    fetchOptions: () => ({ headers: headers() }),
    fetch: async (input, init) => {
      const res = await fetch(input, init)
      // A token the server no longer knows: forget it; the sign-in page asks again.
      if (res.status === 401 && session.token) setToken('')
      return res
    },
  })
}

export const client = makeClient()
