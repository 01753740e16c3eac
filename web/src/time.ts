// Times in the sub-district's zone. Houjiatang is in Asia/Shanghai, +08:00
// all year (China keeps no daylight saving), which the server writes into
// every DateTime; the pages compute days and weeks in that offset, whatever
// the browser's own zone.
export const OFFSET = '+08:00'
const OFFSET_MS = 8 * 3600 * 1000

/** The local (sub-district) calendar day of an instant, YYYY-MM-DD. */
export function localDate(d: Date): string {
  return new Date(d.getTime() + OFFSET_MS).toISOString().slice(0, 10)
}

/** The local time of day of an instant, HH:MM. */
export function localTime(d: Date | string): string {
  const t = typeof d === 'string' ? new Date(d) : d
  return new Date(t.getTime() + OFFSET_MS).toISOString().slice(11, 16)
}

/** The instant of a local day and time. */
export function instant(date: string, time: string): Date {
  return new Date(`${date}T${time}:00${OFFSET}`)
}

/** An RFC 3339 text with the sub-district's offset. */
export function rfc3339(date: string, time: string): string {
  return `${date}T${time}:00${OFFSET}`
}

export function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}

/** ISO weekday of a local day: 1 Monday … 7 Sunday. */
export function isoWeekday(date: string): number {
  const w = new Date(`${date}T00:00:00Z`).getUTCDay()
  return w === 0 ? 7 : w
}

/** The Monday of the week holding a local day. */
export function mondayOf(date: string): string {
  return addDays(date, 1 - isoWeekday(date))
}

export const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const

/** A short local rendering of an instant: 2026-12-01 10:00. */
export function when(s: string): string {
  const d = new Date(s)
  return `${localDate(d)} ${localTime(d)}`
}

export function today(): string {
  return localDate(new Date())
}
