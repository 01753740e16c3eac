// Time to interactive of the venue page, as a first visit: a new browser
// context (empty cache, no service worker) per load, signed in, measured from
// navigation start (performance.timeOrigin) until the week's slots are drawn
// AND the booking form's button is enabled. run.mjs uses it for the quality
// bar; run alone it measures (and with PROFILE=dir records a Chromium trace
// of each load) against a running server:
//
//	BASE_URL=http://localhost:8080 CHROMIUM=/usr/bin/chromium node e2e/tti.mjs [loads] [venue id]
import { writeFileSync } from 'node:fs'

/** The interactive condition, evaluated in the page; the time when it first holds. */
const interactive = () => {
  const b = document.querySelector('[data-test=book]')
  return document.querySelector('li.seg') && b && !b.disabled ? performance.now() : 0
}

/**
 * Loads url `loads` times and returns the times to interactive in ms, in load
 * order. Every load is a first visit: a new page (Chromium gives each its
 * own new renderer process, so nothing compiled stays in memory) after the
 * HTTP cache is cleared (V8's code cache is kept per response, so a fresh
 * response cannot use an older one's). The loads share one browser
 * context (window), which a first, uncounted load opens: a new window makes
 * Chromium start its own omnibox WebUI renderers, seconds of CPU on this
 * machine that no visitor's page load pays.
 */
export async function measure(newContext, url, loads = 5, { trace } = {}) {
  const times = []
  const ctx = await newContext()
  for (let i = -1; i < loads; i++) {
    const p = await ctx.newPage()
    const cdp = await ctx.newCDPSession(p)
    await cdp.send('Network.clearBrowserCache')
    if (trace && i >= 0) await ctx.browser().startTracing(p, { path: `${trace}/load-${i}.json`, screenshots: true, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8.execute', 'disabled-by-default-v8.cpu_profiler', 'blink.user_timing', 'loading', 'netlog', 'toplevel'] })
    await p.goto(url, { waitUntil: 'commit' })
    const ms = await (await p.waitForFunction(interactive, null, { polling: 'raf', timeout: 30000 })).jsonValue()
    if (i >= 0) times.push(ms)
    if (trace && i >= 0) await ctx.browser().stopTracing()
    await p.close()
  }
  await ctx.close()
  return times
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { chromium } = await import('playwright-core')
  const base = process.env.BASE_URL ?? 'http://localhost:8080'
  const loads = Number(process.argv[2] ?? 5)
  const post = async (query, variables, token) => {
    const r = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    })
    return (await r.json()).data
  }
  const token = (await post('mutation($i: SignInInput!) { signIn(input: $i) { token } }', { i: { username: 'community-1-admin', password: 'cogov-demo' } })).signIn.token
  let id = process.argv[3]
  if (!id) {
    const d = await post('{ venues(filter: { minAreaSqm: 2000 }, first: 1) { edges { node { id } } } }')
    id = d.venues.edges[0].node.id
  }
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] })
  const newContext = async () => {
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
    await ctx.addInitScript((t) => localStorage.setItem('cogov.token', t), token)
    return ctx
  }
  const times = await measure(newContext, `${base}/venues/${id}`, loads, { trace: process.env.PROFILE })
  await browser.close()
  const load = (await import('node:os')).loadavg()[0]
  console.log(`venue page TTI: ${times.map(Math.round).join(', ')} ms; median ${Math.round(median(times))} ms (load average ${load.toFixed(1)})`)
  if (process.env.OUT) writeFileSync(process.env.OUT, JSON.stringify({ venuePageMs: times }))
}
