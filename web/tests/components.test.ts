import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { mount } from '@vue/test-utils'
import { createI18n } from 'vue-i18n'
import WeekCalendar from '../src/components/WeekCalendar.vue'
import zhCN from '../src/i18n/zh-CN.json'
import en from '../src/i18n/en.json'
import { useFieldErrors } from '../src/composables/userErrors'
import { addDays, isoWeekday, localDate, mondayOf, rfc3339 } from '../src/time'

const i18n = () => createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, en } })

describe('WeekCalendar', () => {
  const monday = '2027-02-08'
  const slots = [
    { startsAt: '2027-02-08T00:00:00+08:00', endsAt: '2027-02-08T08:00:00+08:00', state: 'CLOSED' },
    { startsAt: '2027-02-08T08:00:00+08:00', endsAt: '2027-02-08T10:00:00+08:00', state: 'FREE' },
    { startsAt: '2027-02-08T10:00:00+08:00', endsAt: '2027-02-08T12:00:00+08:00', state: 'BOOKED' },
    { startsAt: '2027-02-08T12:00:00+08:00', endsAt: '2027-02-09T08:00:00+08:00', state: 'CLOSED' },
  ]
  const labels: Record<string, string> = { FREE: '空闲', BOOKED: '已预订', CLOSED: '不开放' }
  const w = mount(WeekCalendar, { props: { monday, slots, label: (s: string) => labels[s] }, global: { plugins: [i18n()] } })

  it('draws seven days, Monday first, in Chinese', () => {
    const days = w.findAll('.day')
    expect(days).toHaveLength(7)
    expect(days[0].attributes('data-date')).toBe('2027-02-08')
    expect(days[0].text()).toContain('周一')
    expect(days[6].attributes('data-date')).toBe('2027-02-14')
  })

  it('places each slot on the day and hours it covers, clipped to 06:00–23:00', () => {
    const mon = w.findAll('.day')[0].findAll('li.seg')
    expect(mon.map((s) => s.attributes('data-state'))).toEqual(['CLOSED', 'FREE', 'BOOKED', 'CLOSED'])
    const booked = mon[2]
    expect(booked.text()).toContain('10:00–12:00 已预订')
    expect(booked.attributes('style')).toContain('top: 120px') // 4 h after 06:00 at 30 px an hour
    expect(booked.attributes('style')).toContain('height: 60px')
    // The night slot that runs into Tuesday is drawn on both days.
    const tue = w.findAll('.day')[1].findAll('li.seg')
    expect(tue).toHaveLength(1)
    expect(tue[0].text()).toContain('06:00–08:00')
  })
})

describe('useFieldErrors', () => {
  it('puts each userError by the field it names and the rest above the form', () => {
    const e = useFieldErrors(['startsAt', 'purpose'])
    e.show([
      { code: 'BOOKING_CONFLICT', field: ['input', 'startsAt'], message: '该时段场地已被预订' },
      { code: 'BLANK', field: ['input', 'purpose'], message: '不能为空' },
      { code: 'FORBIDDEN', field: null, message: '无权操作' },
      { code: 'NOT_FOUND', field: ['input', 'venueId'], message: '场地不存在' },
    ])
    expect(e.byField.startsAt).toBe('该时段场地已被预订')
    expect(e.byField.purpose).toBe('不能为空')
    expect(e.general.value.map((g) => g.code)).toEqual(['FORBIDDEN', 'NOT_FOUND'])
    e.show([])
    expect(e.byField.startsAt).toBeUndefined()
    expect(e.general.value).toEqual([])
  })
})

describe('time in the sub-district', () => {
  it('counts days and weeks at +08:00 whatever the browser zone', () => {
    expect(localDate(new Date('2027-02-06T23:30:00Z'))).toBe('2027-02-07') // Sunday morning in Changsha
    expect(isoWeekday('2027-02-07')).toBe(7)
    expect(mondayOf('2027-02-07')).toBe('2027-02-01')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
    expect(rfc3339('2027-02-08', '10:00')).toBe('2027-02-08T10:00:00+08:00')
  })
})

describe('messages', () => {
  it('has every Chinese key in English too', () => {
    const keys = (o: object, p = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`]))
    // The files as written (imported, they are compiled messages).
    const read = (n: string) => JSON.parse(readFileSync(`${process.cwd()}/src/i18n/${n}.json`, 'utf8'))
    expect(keys(read('en'))).toEqual(keys(read('zh-CN')))
  })
})
