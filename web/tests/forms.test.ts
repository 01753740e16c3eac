// The forms of the three lists and of a meeting's outcome: what they send,
// and each userError by the field it names, in Chinese.
import { describe, expect, it } from 'vitest'
import NeedForm from '../src/components/NeedForm.vue'
import OfferForm from '../src/components/OfferForm.vue'
import MeetingOutcomeForm from '../src/components/MeetingOutcomeForm.vue'
import { choose, mountWith, settle, signInAs, standIn } from './standin'

const blank = (field: string) => ({ code: 'BLANK', field: ['input', field], message: '此项不能为空' })
const fieldError = (w: ReturnType<typeof mountWith>, test: string) => w.find(`[data-test=${test}] .el-form-item__error`)

describe('NeedForm', () => {
  it('posts a need for the committee, in a grid of its community; a blank title is answered by the title', async () => {
    const answers = [{ need: null, userErrors: [blank('title')] }, { need: { id: 'N1', title: '加装电梯', category: 'ELDERLY_CARE', status: 'OPEN', community: { id: 'CM1' } }, userErrors: [] }]
    const s = standIn({
      Committees: () => ({ subdistrict: { id: 'S', committees: { edges: [{ node: { id: 'C1', name: '侯家塘社区大党委', kind: 'COMMUNITY_PARTY_COMMITTEE' } }] } } }),
      CommitteeGrids: () => ({ node: { id: 'C1', community: { id: 'CM1', name: '侯家塘社区', grids: { edges: [{ node: { id: 'G1', name: '第一网格' } }] } } } }),
      PostNeed: () => ({ postNeed: answers.shift() }),
    })
    signInAs([{ kind: 'COMMITTEE_ADMIN', id: 'C1', name: '侯家塘社区大党委' }])
    const w = mountWith(NeedForm, s.client)
    await settle()

    // No category chosen: said by the category, nothing sent.
    await w.find('form').trigger('submit')
    await settle()
    expect(fieldError(w, 'n-category').text()).toBe('请选择类别')
    expect(s.named('PostNeed')).toHaveLength(0)

    await choose('n-category', '养老服务')
    await choose('n-grid', '第一网格')
    await w.find('form').trigger('submit')
    await settle()
    expect(fieldError(w, 'n-title').text()).toBe('此项不能为空')
    expect(fieldError(w, 'n-category').exists()).toBe(false)

    await w.find('#n-title').setValue('加装电梯')
    await w.find('#n-description').setValue('老旧小区 3 栋')
    await w.find('form').trigger('submit')
    await settle()
    expect(s.input(s.named('PostNeed')[1])).toEqual({ committeeId: 'C1', gridId: 'G1', title: '加装电梯', category: 'ELDERLY_CARE', urgency: 'NORMAL', description: '老旧小区 3 栋' })
    expect(fieldError(w, 'n-title').exists()).toBe(false)
    expect(w.find('[role=status]').text()).toBe('需求「加装电梯」已发布')
    expect(w.emitted('posted')).toEqual([['N1']])
    expect((w.find('#n-title').element as HTMLInputElement).value).toBe('')
    w.unmount()
  }, 30000)
})

describe('OfferForm', () => {
  it("posts an offer of the unit's venue; a period that ends before it starts is answered by its end", async () => {
    const answers = [
      { offer: null, userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'availableTo'], message: '结束日期不能早于开始日期' }] },
      { offer: { id: 'O1', title: '会议室开放', category: 'VENUE', status: 'OPEN', unit: { id: 'U1' }, venue: { id: 'V1' } }, userErrors: [] },
    ]
    const s = standIn({
      UnitVenues: (v) => ({ venues: { edges: v.unitId === 'U1' ? [{ node: { id: 'V1', name: '社区服务空间' } }] : [] } }),
      PostOffer: () => ({ postOffer: answers.shift() }),
    })
    signInAs([{ kind: 'UNIT_ADMIN', id: 'U1', name: '核工业地质局' }])
    const w = mountWith(OfferForm, s.client)
    await settle()
    await w.find('#o-title').setValue('会议室开放')
    await choose('o-category', '场地')
    await choose('o-venue', '社区服务空间')
    await w.find('form').trigger('submit')
    await settle()
    expect(fieldError(w, 'o-to').text()).toBe('结束日期不能早于开始日期')
    expect(s.input(s.named('PostOffer')[0])).toEqual({ unitId: 'U1', title: '会议室开放', category: 'VENUE', venueId: 'V1' })

    await w.find('form').trigger('submit')
    await settle()
    expect(fieldError(w, 'o-to').exists()).toBe(false)
    expect(w.find('[role=status]').text()).toBe('资源「会议室开放」已发布')
    expect(w.emitted('posted')).toEqual([['O1']])
    w.unmount()
  }, 30000)
})

describe('MeetingOutcomeForm', () => {
  const invitees = [
    { membershipId: 'M1', name: '张三', unit: '水利厅', accepted: true },
    { membershipId: 'M2', name: '李四', unit: '林业局', accepted: false },
    { membershipId: 'M3', name: '王五', unit: '核工业地质局', accepted: true },
  ]
  it('starts from those who accepted, sends attendees, minutes and new resolutions, and shows errors by field or above', async () => {
    const answers = [
      { meeting: null, userErrors: [{ code: 'INVALID_INPUT', field: ['input', 'minutes'], message: '会议纪要过长' }, { code: 'INVALID_STATE', field: ['input', 'meetingId'], message: '会议开始后才能记录成果' }] },
      { meeting: { id: 'J1', status: 'HELD', minutes: '通报了需求清单', attendees: { totalCount: 3 }, resolutions: [{ id: 'R1', text: '成立项目组' }] }, userErrors: [] },
    ]
    const s = standIn({ RecordMeetingOutcome: () => ({ recordMeetingOutcome: answers.shift() }) })
    signInAs([{ kind: 'SUBDISTRICT_ADMIN' }])
    const w = mountWith(MeetingOutcomeForm, s.client, { meetingId: 'J1', invitees, attended: [], minutes: '' })
    await settle()
    const checked = () => w.findAll('[data-membership] input').filter((i) => (i.element as HTMLInputElement).checked).map((i) => i.element.closest('[data-membership]')?.getAttribute('data-membership'))
    expect(checked()).toEqual(['M1', 'M3'])
    await w.find('[data-membership=M2] input').setValue(true)
    await w.find('#mo-minutes').setValue('通报了需求清单')
    await w.find('#mo-resolutions').setValue('成立项目组\n\n  ')
    await w.find('form').trigger('submit')
    await settle()
    expect(s.input(s.named('RecordMeetingOutcome')[0])).toEqual({ meetingId: 'J1', attendeeMembershipIds: ['M1', 'M3', 'M2'], minutes: '通报了需求清单', resolutions: ['成立项目组'] })
    expect(fieldError(w, 'minutes').text()).toBe('会议纪要过长')
    expect(w.find('[role=alert]').text()).toContain('会议开始后才能记录成果')

    await w.find('form').trigger('submit')
    await settle()
    expect(w.find('[role=status]').text()).toBe('会议成果已保存')
    expect(w.find('[role=alert]').exists()).toBe(false)
    expect((w.find('#mo-resolutions').element as HTMLTextAreaElement).value).toBe('')
    expect(w.emitted('recorded')).toHaveLength(1)
    w.unmount()
  }, 30000)

  it('starts from the attendance recorded before when there is one', async () => {
    const s = standIn({})
    const w = mountWith(MeetingOutcomeForm, s.client, { meetingId: 'J1', invitees, attended: ['M2'], minutes: '旧纪要' })
    await settle()
    expect(w.findAll('[data-membership] input').map((i) => (i.element as HTMLInputElement).checked)).toEqual([false, true, false])
    expect((w.find('#mo-minutes').element as HTMLTextAreaElement).value).toBe('旧纪要')
    w.unmount()
  })
})
