// The front end end to end, in Debian's Chromium against the Go server on
// the demo data (started by server/web_e2e_test.go, which passes BASE_URL,
// NOW — the server's clock — and CHROMIUM). Screenshots of every page at
// 1366×768 and 390×844 go to web/test-results/, axe checks every page, and
// the venue page's time to interactive is measured.
import { mkdirSync, writeFileSync } from 'node:fs'
import { chromium } from 'playwright-core'
import { AxeBuilder } from '@axe-core/playwright'
import { measure, median } from './tti.mjs'

const base = process.env.BASE_URL
const now = new Date(process.env.NOW ?? Date.now())
const out = new URL('../test-results/', import.meta.url).pathname
mkdirSync(out, { recursive: true })
const started = Date.now()
const log = (...a) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a)
const failures = []
function check(ok, what) {
  if (ok) log('ok', what)
  else {
    failures.push(what)
    console.error('FAIL', what)
  }
}

// The search window: a Monday 10:00–12:00 (Asia/Shanghai) at least two weeks
// after the server's now, where the demo data leaves the 2,000 m² space free.
const OFFSET = 8 * 3600e3
const localDay = (d) => new Date(d.getTime() + OFFSET).toISOString().slice(0, 10)
let day = localDay(new Date(now.getTime() + 14 * 86400e3))
while (new Date(`${day}T00:00:00Z`).getUTCDay() !== 1) day = localDay(new Date(new Date(`${day}T00:00:00+08:00`).getTime() + 86400e3))
const startsAt = new Date(`${day}T10:00:00+08:00`)
log('window', day, '10:00–12:00 +08:00; server now', now.toISOString())

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] })
const sizes = { desktop: { width: 1366, height: 768 }, phone: { width: 390, height: 844 } }

async function token(username) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: 'mutation($i: SignInInput!) { signIn(input: $i) { token userErrors { message } } }', variables: { i: { username, password: 'cogov-demo' } } }),
  })
  const j = await res.json()
  if (!j.data?.signIn?.token) throw new Error(`sign in ${username}: ${JSON.stringify(j)}`)
  return j.data.signIn.token
}
async function context(username, size = 'desktop') {
  const ctx = await browser.newContext({ viewport: sizes[size], locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })
  if (username) {
    const tok = await token(username)
    await ctx.addInitScript((t) => localStorage.setItem('cogov.token', t), tok)
  }
  ctx.setDefaultTimeout(15000)
  return ctx
}

// The state of the calendar at an instant, as the page shows it.
const stateAt = (page, at) =>
  page.evaluate((at) => {
    const t = new Date(at).getTime()
    for (const li of document.querySelectorAll('li.seg')) {
      if (new Date(li.dataset.from).getTime() <= t && t < new Date(li.dataset.to).getTime()) return li.dataset.state
    }
    return null
  }, at.toISOString())
const waitState = (page, at, state, timeout = 15000) =>
  page.waitForFunction(
    ([at, state]) => {
      const t = new Date(at).getTime()
      return [...document.querySelectorAll('li.seg')].some(
        (li) => new Date(li.dataset.from).getTime() <= t && t < new Date(li.dataset.to).getTime() && li.dataset.state === state,
      )
    },
    [at.toISOString(), state],
    { timeout },
  )

// Picks an option of an Element Plus select (by its input's id): by name, or the first.
async function choose(page, id, name) {
  await page.locator(`.el-select:has(#${id}) .el-select__wrapper`).click()
  const listbox = await page.locator(`#${id}`).getAttribute('aria-controls')
  const options = page.locator(`[id="${listbox}"] [role=option]`)
  await (name ? options.filter({ hasText: name }).first() : options.first()).click()
  await page.locator(`[id="${listbox}"]`).waitFor({ state: 'hidden' }).catch(() => {}) // a multiple select stays open
}

async function axe(page, name) {
  // Only violations are collected (axe's documented way to run faster).
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).options({ resultTypes: ['violations'] }).analyze()
  const bad = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
  for (const v of bad) console.error(`  axe ${name}: ${v.impact} ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`)
  check(bad.length === 0, `axe: no serious or critical violations on ${name}`)
}
async function shoot(page, name) {
  await page.screenshot({ path: `${out}${name}.png`, fullPage: false })
}

try {
  // 1. community-1-admin signs in through the form and finds the space.
  const c1 = await context(null)
  const p1 = await c1.newPage()
  await p1.goto(`${base}/signin`)
  await p1.fill('#username', 'community-1-admin')
  await p1.fill('#password', 'cogov-demo')
  await p1.click('[data-test=signin]')
  await p1.waitForURL(/\/work/)
  await p1.waitForSelector('[data-test=who]')
  check((await p1.textContent('[data-test=who]')).includes('community-1-admin'), 'the header shows who signed in')
  await p1.goto(`${base}/venues?date=${day}&from=10:00&to=12:00&people=150&area=2000`)
  const card = p1.locator('[data-test=venue-card][data-area="2000"]')
  await card.waitFor()
  check((await card.textContent()).includes('2000'), 'the search finds the 2,000 m² space for 150 people')
  await card.locator('a').click()
  await p1.waitForURL(/\/venues\/.+/)
  const venueURL = p1.url()
  await p1.waitForSelector('li.seg')
  check((await stateAt(p1, startsAt)) === 'FREE', 'the window is FREE in the calendar before the request')

  // A second tab, anonymous, watching the same calendar.
  const watcherCtx = await context(null)
  const watcher = await watcherCtx.newPage()
  await watcher.goto(venueURL)
  await watcher.waitForSelector('li.seg')
  await watcher.waitForSelector('[data-test=live]')

  // hnig-admin (the space's unit) has My work open before the request: the
  // bell and the inbox must show it without a reload.
  const hn = await context('hnig-admin')
  const ph = await hn.newPage()
  await ph.goto(`${base}/work`)
  await ph.waitForSelector('[data-test=bell]')
  await ph.waitForSelector('[data-test=inbox]')
  const unreadBefore = Number(await ph.getAttribute('[data-test=bell]', 'data-unread'))

  // 2. The request: sees PENDING.
  await p1.fill('#b-purpose', '社区居民议事会（端到端测试）')
  await p1.click('[data-test=book]')
  const result = p1.locator('[data-test=booking-result] [data-status]')
  await result.first().waitFor()
  check((await result.first().getAttribute('data-status')) === 'PENDING' && (await result.first().textContent()).includes('待审批'), 'the request is PENDING (待审批)')
  await waitState(watcher, startsAt, 'BOOKED')
  check(true, 'the watching tab turned the slot BOOKED without a reload')

  const bookingId = await result.first().getAttribute('data-id')
  // 2b. hnig-admin's bell counts it and lists it, live (notificationAdded).
  await ph.waitForFunction((n) => Number(document.querySelector('[data-test=bell]')?.dataset.unread) > n, unreadBefore)
  await ph.click('[data-test=bell-button]')
  const note = ph.locator(`[data-test=notification][data-kind=BOOKING_REQUESTED][data-object="${bookingId}"]`)
  await note.waitFor()
  check(true, `hnig-admin's bell shows the request live (unread ${unreadBefore} → ${await ph.getAttribute('[data-test=bell]', 'data-unread')}) without a reload`)
  await ph.click('[data-test=bell-button]')
  // The inbox lists it to approve (read again as the notification arrives).
  await ph.locator(`[data-test=inbox-item][data-kind=BOOKING_TO_APPROVE][data-id="${bookingId}"]`).waitFor()
  check(true, "hnig-admin's inbox lists the request to approve")

  // 3. hnig-admin approves it in My work.
  const req = ph.locator(`[data-test=request][data-starts="${day}T10:00:00+08:00"]`)
  await req.waitFor()
  await req.locator('[data-test=approve]').click()
  await req.waitFor({ state: 'detached' })
  check(true, 'hnig-admin approved the request')

  // 4. The first tab, never reloaded: the booking is APPROVED, the slot BOOKED.
  await p1.waitForSelector(`[data-test=venue-booking][data-starts="${day}T10:00:00+08:00"][data-status=APPROVED]`)
  check((await stateAt(p1, startsAt)) === 'BOOKED', "the first tab's calendar shows the slot BOOKED and the booking approved, without a reload")
  // community-1-admin's bell tells them, live.
  await p1.click('[data-test=bell-button]')
  await p1.locator(`[data-test=notification][data-kind=BOOKING_APPROVED][data-object="${bookingId}"]`).waitFor()
  check(true, "community-1-admin's bell shows the approval without a reload")
  await p1.click('[data-test=bell-read-all]')
  await p1.waitForFunction(() => document.querySelector('[data-test=bell]')?.dataset.unread === '0')
  check(true, 'mark all read clears the badge')
  await p1.click('[data-test=bell-button]')

  // 5. A conflicting request, from another community: the message in Chinese by the time.
  const c2 = await context('community-2-admin')
  const p2 = await c2.newPage()
  await p2.goto(venueURL)
  await p2.fill('#b-purpose', '冲突的申请')
  await p2.click('[data-test=book]')
  const err = p2.locator('[data-test=when] [data-test=field-error]')
  await err.waitFor()
  const msg = await err.textContent()
  check(/已被预订/.test(msg), `the conflict is shown by the time field in Chinese: ${msg.trim()}`)
  // ... so they join the waitlist for the BOOKED window instead.
  const held = p2.locator('[data-test=booked-slot]', { hasText: `${day} ` }).first()
  await held.locator('[data-test=waitlist]').click()
  await held.locator('[data-test=waitlist-form] input[aria-label="用途"]').fill('候补的议事会')
  await held.locator('[data-test=waitlist-send]').click()
  const waited = held.locator('[data-test=waitlist-form] [role=alert]')
  await waited.waitFor()
  const wmsg = (await waited.textContent()).trim()
  check(/已加入候补/.test(wmsg), `community-2-admin joins the waitlist for the booked window: ${wmsg}`)

  // 6. A member sees only their own seat.
  const mem = await context('member-demo')
  const pm = await mem.newPage()
  await pm.goto(`${base}/`)
  await pm.waitForSelector('[data-test=members] tbody tr')
  const rows = await pm.locator('[data-test=members] tbody tr').count()
  check(rows === 1, `member-demo sees only their own seat (${rows} row)`)

  // 7. The dashboard draws its four charts.
  const sa = await context('street-admin')
  const ps = await sa.newPage()
  await ps.goto(`${base}/figures`)
  await ps.waitForFunction(() => document.querySelectorAll('[data-test=chart] canvas').length >= 4)
  check(true, 'the dashboard renders its four charts')

  // 7b. street-admin schedules a joint meeting that books a venue, launches a
  // project from a need and an offer, and reports its progress.
  await ps.goto(`${base}/meetings`)
  await choose(ps, 'm-conv', '侯家塘街道大工委')
  await ps.keyboard.press('Escape')
  await ps.fill('#m-title', '端到端联席会议')
  await ps.fill('#m-date', day)
  await ps.keyboard.press('Enter')
  await choose(ps, 'm-venue', '核工业地质局社区服务空间')
  await ps.fill('#m-agenda', '通报需求清单\n认领资源')
  await ps.getByRole('button', { name: '安排会议' }).click()
  await ps.waitForURL(/\/meetings\/.+/)
  await ps.waitForSelector('h1:has-text("端到端联席会议")')
  check((await ps.locator('main ol li').count()) === 2 && (await ps.locator('main a:has-text("核工业地质局社区服务空间")').count()) === 1,
    'a scheduled joint meeting shows its agenda and the venue it booked')

  await ps.goto(`${base}/lists`)
  await ps.waitForSelector('.el-table__row')
  await ps.fill('#l-title', '端到端共建项目')
  await choose(ps, 'l-need')
  await choose(ps, 'l-offer')
  await choose(ps, 'l-owner')
  await ps.getByRole('button', { name: '立项' }).click()
  const project = ps.locator('[data-test=project]', { hasText: '端到端共建项目' })
  await project.waitFor()
  check(true, 'a project is launched from a need and an offer')
  await project.locator('.el-input-number input').fill('40')
  await project.locator('input[aria-label="进展说明"]').fill('完成场地布置')
  await project.getByRole('button', { name: '报告进展' }).click()
  await project.locator('li', { hasText: '40% 完成场地布置' }).waitFor()
  check((await project.locator('.el-progress').getAttribute('aria-valuenow')) === '40', 'the progress report shows on the project (40%)')

  // 8. Time to interactive of the venue page (e2e/tti.mjs): from navigation
  // until the week's slots are drawn and the booking form can be sent, each
  // load a first visit (empty HTTP cache). The bar is the median of five loads
  // (the suite shares its cores with other work) within 1.5 s.
  const tti = await measure(() => context('community-1-admin'), venueURL, 5)
  const load = (await import('node:os')).loadavg()[0]
  log(`venue page time to interactive: ${tti.map((x) => Math.round(x)).join(', ')} ms (median ${Math.round(median(tti))} ms; load average ${load.toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`)
  writeFileSync(`${out}tti.json`, JSON.stringify({ venuePageMs: tti, medianMs: median(tti), loadAverage: load }, null, 1))
  check(median(tti) <= 1500, `the venue page is interactive within 1.5 s (median ${Math.round(median(tti))} ms)`)

  // 9. Every page at both sizes: a screenshot and axe.
  const meetings = await (await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await token('street-admin')}` },
    body: JSON.stringify({ query: '{ subdistrict(code: "houjiatang") { jointMeetings(first: 1) { edges { node { id } } } } }' }),
  }).then((r) => r.json()))
  const meetingId = meetings.data.subdistrict.jointMeetings.edges[0]?.node.id
  const pages = [
    ['signin', null, '/signin', '#username'],
    ['overview', 'street-admin', '/', '[data-test=community]'],
    ['overview-anonymous', null, '/', '[data-test=community]'],
    ['venues', 'community-1-admin', `/venues?date=${day}&from=10:00&to=12:00&people=150`, '[data-test=venue-card]'],
    ['venue', 'community-1-admin', new URL(venueURL).pathname + new URL(venueURL).search, 'li.seg'],
    ['work-unit', 'hnig-admin', '/work', 'h1'],
    ['work-committee', 'community-1-admin', '/work', '.el-table'],
    ['meetings', 'street-admin', '/meetings', '[data-test=meetings] .el-table__row'],
    ['meeting', 'member-demo', `/meetings/${meetingId}`, 'h2'],
    ['lists', 'street-admin', '/lists', '.el-table__row'],
    ['figures', 'street-admin', '/figures', '[data-test=chart] canvas'],
  ]
  // Each page once, in a tab per account, moved between pages by the client's
  // router (as a user clicks): a screenshot at 1366×768, axe, then the same
  // page at 390×844.
  const tabs = {}
  for (const [name, user, path, ready] of pages) {
    const key = user ?? 'anonymous'
    if (!tabs[key]) {
      tabs[key] = await (await context(user)).newPage()
      await tabs[key].goto(`${base}${path}`)
    } else {
      await tabs[key].evaluate((path) => {
        history.pushState({}, '', path)
        dispatchEvent(new PopStateEvent('popstate'))
      }, path)
    }
    const p = tabs[key]
    await p.waitForURL(`${base}${path}`)
    await p.waitForSelector(ready)
    await p.waitForTimeout(300) // transitions and the charts' first frame
    await shoot(p, `${name}-desktop`)
    await axe(p, name)
    await p.setViewportSize(sizes.phone)
    await p.waitForTimeout(300)
    await shoot(p, `${name}-phone`)
    await p.setViewportSize(sizes.desktop)
    log('page', name)
  }
  for (const p of Object.values(tabs)) await p.context().close()
  log('screenshots in', out)
} catch (e) {
  failures.push(String(e?.stack ?? e))
  console.error(e)
} finally {
  await browser.close()
}
if (failures.length) {
  console.error(`${failures.length} failure(s)`)
  process.exit(1)
}
log('all passed')
