export default {
  app: { title: '共建共治平台', signIn: '登录', signOut: '退出登录', error: '请求失败，请稍后再试', loading: '加载中…' },
  nav: { label: '主导航', overview: '街道概况', venues: '场地', work: '我的工作', meetings: '联席会议', lists: '三张清单', figures: '数据看板' },
  signIn: { title: '登录', username: '用户名', password: '密码', submit: '登录', demo: '演示账号的密码均为 cogov-demo，例如 community-1-admin、hnig-admin。' },
  overview: {
    title: '街道概况', workingCommittee: '街道大工委',
    facts: '{communities} 个社区 · {grids} 个网格 · {units} 家驻区单位', area: '面积 {km2} 平方公里', population: '常住人口 {n}',
    anonymous: '登录后可查看成员名单。', partTime: '兼职委员 {n} 名', person: '姓名', role: '职务', unit: '单位', kind: '类型', community: '所在社区',
    communities: '社区（{n}）', grids: '网格 {n} 个', units: '驻区单位（{n}）',
  },
  venues: {
    title: '查找场地', date: '日期', from: '开始', to: '结束', people: '人数', area: '最小面积（m²）', facilities: '设施', facilitiesHint: '如 投影仪、音响',
    community: '社区', anyCommunity: '全部社区', text: '名称或地址', onlyFree: '只看该时段空闲', search: '搜索', found: '找到 {n} 个场地',
    areaShort: '面积', capacity: '容纳', persons: '{n} 人', owner: '提供单位', needsApproval: '需审批',
  },
  venue: { joinWaitlist: '排队候补', waiting: '已加入候补：该时段空出时将优先通知你', people: '人数', calendar: '一周场地日历', hours: '开放时间', week: '{from} 至 {to}', prev: '上一周', next: '下一周', thisWeek: '本周', live: '实时', bookings: '本周预订', noBookings: '本周暂无预订' },
  weekday: ['周一', '周二', '周三', '周四', '周五', '周六', '周日'],
  booking: {
    title: '申请使用', signInFirst: '登录后可申请使用场地。', noCommittee: '你不是任何委员会的管理员，无法申请。', committee: '申请单位（委员会）', when: '时间',
    purpose: '用途', attendees: '预计人数', repeat: '重复', weekly: '每周重复', count: '次数', times: '次', skipConflicts: '跳过冲突的日期',
    submit: '提交申请', requested: '{at} 的申请已提交', skipped: '{at} 已跳过：{why}',
  },
  bell: { title: '通知', unread: '（{n} 条未读）', recent: '最近的通知', readAll: '全部标为已读', markRead: '标为已读', none: '暂无通知' },
  work: {
    inbox: '待办', inboxEmpty: '暂无待办事项', shown: '已显示 {n} / {total} 项', loadMore: '加载更多', deadline: '截止 {d}', checkIn: '签到', checkedIn: '已签到',
    title: '我的工作', requests: '待我审批的申请', noRequests: '暂无待审批的申请', approve: '批准', reject: '驳回', reason: '驳回理由',
    committeeBookings: '本委员会的预订', none: '暂无数据', when: '时间', venue: '场地', status: '状态', nothing: '你的账号暂无需要处理的工作。',
  },
  meetings: {
    title: '联席会议', name: '会议名称', conveners: '召集单位', schedule: '召开联席会议', agendaLines: '议程（每行一项）', scheduleSubmit: '安排会议',
    agenda: '议程', minutes: '{n} 分钟', invitations: '邀请与回复（{n}）', answer: '回复', accept: '参加', decline: '不参加', outcome: '会议成果',
    recordOutcome: '记录会议成果', attendees: '出席人员', attendedCount: '出席 {n} 人', selectAccepted: '选中回复参加的人', minutesText: '会议纪要',
    newResolutions: '新增决议（每行一项）', recordSubmit: '保存会议成果', recorded: '会议成果已保存', resolutions: '决议', notStarted: '会议开始后可记录成果。',
  },
  lists: {
    title: '三张清单', needs: '需求清单（{n}）', offers: '资源清单（{n}）', projects: '项目清单（{n}）', name: '名称', category: '类别', urgency: '紧急程度',
    postedBy: '提出单位', due: '截止 {d}', progress: '进度', note: '进展说明', report: '报告进展', launch: '由需求和资源立项', need: '需求', offer: '资源',
    owner: '负责单位', dueOn: '截止日期', launchSubmit: '立项',
    postNeed: '发布需求', postNeedSubmit: '发布需求', needPosted: '需求「{title}」已发布', grid: '所在网格', wholeCommunity: '全社区（不指定网格）', peopleAffected: '涉及人数',
    description: '详细说明', chooseCategory: '请选择类别', postOffer: '发布资源', postOfferSubmit: '发布资源', offerPosted: '资源「{title}」已发布', noVenue: '不涉及场地',
    quantity: '数量（个、小时、份）', availableFrom: '开始提供日期', availableTo: '截止提供日期',
  },
  figures: {
    title: '数据看板', period: '统计期间', from: '开始日期', to: '结束日期', export: '导出 CSV', hours: '小时', bookings: '预订数', needs: '需求', projects: '项目',
    utilization: '各场地利用率', contribution: '各单位贡献（提供场地小时数）', perMonth: '每月预订', byState: '需求与项目状态',
    csv: { stats: '汇总', needs: '需求', offers: '资源', projects: '项目' },
    stat: {
      partTimeMembers: '兼职委员', unitsSharingVenues: '开放场地的单位', sharedAreaSqm: '共享面积（m²）', bookingsApproved: '已批准预订', bookedHours: '预订小时',
      attendees: '参与人次', venueUtilization: '场地利用率', jointMeetingsHeld: '联席会议', needsOpen: '待解决需求', needsMet: '已解决需求',
      projectsActive: '进行中项目', projectsCompleted: '已完成项目',
    },
  },
}
