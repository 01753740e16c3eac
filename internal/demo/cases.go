package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"cogov/internal/booking"
	"cogov/internal/cases"
	"cogov/internal/clock"
	"cogov/internal/meeting"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// CaseCount is how many grid cases the demo data holds: over the six months
// before the load, across the 34 grids.
const CaseCount = 300

// caseTitles are the demo cases' titles and descriptions by category code.
var caseTitles = map[string][][2]string{
	"NEIGHBOUR_DISPUTE": {{"楼上漏水引发邻里纠纷", "三楼卫生间漏水至二楼，双方就维修费用争执不下。"}, {"夜间噪音扰民", "楼上住户夜间装修、跳绳，楼下老人无法休息。"},
		{"楼道堆物纠纷", "邻居在公共楼道堆放杂物，双方发生口角。"}, {"宠物扰邻", "邻居饲养的狗夜间吠叫，且未拴绳。"}},
	"PROPERTY_HOUSING": {{"物业费争议", "业主认为物业服务不到位，拒交物业费。"}, {"老旧小区无物业管理", "小区物业撤场，垃圾无人清运。"},
		{"停车位纠纷", "小区车位不足，业主与物业就停车收费发生争执。"}, {"房屋租赁纠纷", "房东与租客就押金退还发生争议。"}},
	"ENVIRONMENT_SANITATION": {{"垃圾清运不及时", "小区垃圾站满溢，异味扰民。"}, {"背街小巷污水外溢", "下水道堵塞，污水漫至路面。"},
		{"楼顶违规种菜", "楼顶花园堆土种菜，存在渗漏隐患。"}},
	"PUBLIC_FACILITIES": {{"路灯损坏", "巷道路灯不亮，居民夜间出行不便。"}, {"健身器材损坏", "小区健身器材松动，存在安全隐患。"},
		{"井盖缺失", "人行道井盖缺失，已临时围挡。"}},
	"SAFETY_HAZARD": {{"电动车楼道充电", "居民在楼道内为电动车充电，存在火灾隐患。"}, {"燃气管道老化", "老旧小区燃气管道锈蚀，居民闻到异味。"},
		{"高空坠物隐患", "外墙瓷砖松动脱落。"}},
	"ELDERLY_VULNERABLE": {{"独居老人无人照料", "独居老人行动不便，需要上门探访。"}, {"困难家庭求助", "家庭成员患病，生活困难，申请临时救助。"}},
	"OTHER":              {{"居民咨询政策", "居民咨询退休认证办理流程。"}, {"流浪犬扰民", "小区出现流浪犬。"}},
	"FAMILY_CONFLICT":    {{"家庭矛盾", "夫妻因家庭琐事发生争吵，报警求助。"}, {"赡养纠纷", "子女就老人赡养问题发生争执。"}},
}

var (
	residentSurnames = []rune("王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高罗")
	residentGiven    = []string{"建国", "秀英", "小明", "丽华", "志强", "桂兰", "海燕", "德胜", "红梅", "俊杰", "淑珍", "国庆"}
)

// loadCases writes the demo grid cases through the cases service: about
// 300 over the past six months across the 34 grids, about three in ten
// diverted from 110, mediation succeeding in about 97 % of the disputes,
// most settled in the grid, some escalated to the community and the
// sub-district, a few onto the next joint meeting of community 1's party
// committee (scheduled here), some routed to a unit, a few 110 cases
// returned to the police, and a few recent ones overdue. Every step is
// taken at its time: the service's clock is moved to it. The choices come
// from a fixed seed, so the data set is the same for a given load instant.
func loadCases(ctx context.Context, st *store.Store, clk clock.Clock, plan Plan, sd structure.Subdistrict,
	units map[string]structure.Unit, parties []structure.Committee) error {
	var cur time.Time
	meetings := meeting.NewService(st, booking.NewService(st, clk), clk)
	svc := cases.NewService(st, meetings, func() time.Time { return cur })
	now := plan.Now
	// The sub-district adds family conflicts, common among 110 calls.
	cur = now
	family, err := svc.AddCategory(ctx, cases.NewCategory{SubdistrictID: sd.ID, Code: "FAMILY_CONFLICT", Name: "家庭矛盾", Dispute: true})
	if err != nil {
		return fmt.Errorf("case category: %w", err)
	}
	cats, err := st.CaseCategories(ctx, []string{sd.ID})
	if err != nil {
		return err
	}
	byCode := map[string]cases.Category{}
	for _, c := range cats[sd.ID] {
		byCode[c.Code] = c
	}
	byCode[family.Code] = family
	grids, err := DemoGrids(ctx, st, sd.ID)
	if err != nil {
		return err
	}
	ids := make([]string, len(grids))
	for i, g := range grids {
		ids[i] = g.ID
	}
	staff, err := st.GridStaff(ctx, ids)
	if err != nil {
		return err
	}
	// The next joint meeting of community 1's party committee, three weeks on, at 15:00.
	day := now.In(plan.Location).AddDate(0, 0, 21)
	start := time.Date(day.Year(), day.Month(), day.Day(), 15, 0, 0, 0, plan.Location)
	ms, err := meetings.ScheduleJointMeeting(ctx, meeting.Schedule{ConvenerIDs: []string{parties[0].ID}, Title: parties[0].Name + "联席会议（网格事务协商）",
		Start: start, End: start.Add(2 * time.Hour), Agenda: []meeting.AgendaInput{{Title: "通报网格事务办理情况"}}, Demo: true})
	if err != nil {
		return fmt.Errorf("joint meeting of community 1: %w", err)
	}
	meetingID := ms[0].ID
	lawFirm, property := units["hjt-law"], units["hjt-property"]

	rng := rand.New(rand.NewPCG(14, 2119))
	pick := func(n int) int { return rng.IntN(n) }
	person := func() *cases.Personal {
		name := string(residentSurnames[pick(len(residentSurnames))]) + residentGiven[pick(len(residentGiven))]
		return &cases.Personal{Name: name, Phone: fmt.Sprintf("13%d%08d", 5+pick(5), pick(100000000))}
	}
	begin := now.AddDate(0, -6, 0)
	span := now.Sub(begin)
	mediations := 0
	for i := range CaseCount {
		g := grids[i%len(grids)]
		head := ""
		for _, s := range staff[g.ID] {
			if s.Role == structure.GridHead {
				head = s.PersonID
			}
		}
		// Sources: 30 % 110, 15 % 12345, 15 % residents, 35 % patrols, 5 % other.
		var src cases.Source
		switch r := pick(100); {
		case r < 30:
			src = cases.Diversion110
		case r < 45:
			src = cases.Hotline12345
		case r < 60:
			src = cases.ResidentReport
		case r < 95:
			src = cases.GridPatrol
		default:
			src = cases.OtherSource
		}
		var code string
		if src == cases.Diversion110 {
			code = []string{"NEIGHBOUR_DISPUTE", "PROPERTY_HOUSING", "FAMILY_CONFLICT", "NEIGHBOUR_DISPUTE"}[pick(4)]
		} else {
			code = []string{"NEIGHBOUR_DISPUTE", "PROPERTY_HOUSING", "ENVIRONMENT_SANITATION", "PUBLIC_FACILITIES", "SAFETY_HAZARD",
				"ELDERLY_VULNERABLE", "OTHER"}[pick(7)]
		}
		cat := byCode[code]
		text := caseTitles[code][pick(len(caseTitles[code]))]
		// Spread over the six months; the last nine are the overdue ones.
		reported := begin.Add(time.Duration(float64(span) * float64(i) / CaseCount)).Add(time.Duration(pick(600)) * time.Minute)
		overdueGrid, overdueCommunity := i >= CaseCount-5, i >= CaseCount-9 && i < CaseCount-5
		switch {
		case overdueGrid: // reported hours ago, not accepted by the grid within its two hours
			reported = now.Add(-time.Duration(3+2*(CaseCount-1-i)) * time.Hour)
		case overdueCommunity: // escalated days ago, not accepted by the community within its day
			reported = now.Add(-time.Duration(3+CaseCount-5-i) * 24 * time.Hour)
		case !reported.Before(now.Add(-12 * time.Hour)):
			reported = now.Add(-12 * time.Hour)
		}
		in := cases.NewCase{GridID: g.ID, Source: src, CategoryID: cat.ID, Title: text[0], Description: text[1],
			Address: fmt.Sprintf("%s%d栋", g.Name, 1+pick(20)), Reporter: person(), Demo: true, ReportedAt: &reported}
		if src == cases.GridPatrol {
			in.Reporter = nil
		}
		c, err := svc.Report(ctx, in)
		if err != nil {
			return fmt.Errorf("demo case %d: %w", i, err)
		}
		// at moves the clock to t and reports whether t has come.
		at := func(t time.Time) bool {
			if !t.Before(now) {
				return false
			}
			cur = t
			return true
		}
		t := reported.Add(time.Duration(20+pick(80)) * time.Minute) // most accepted within the grid's two hours
		if pick(20) == 0 {
			t = reported.Add(time.Duration(150+pick(300)) * time.Minute) // a few late
		}
		age := now.Sub(reported)
		recent1 := g.CommunityID == *parties[0].CommunityID && age < 60*24*time.Hour // community 1's last two months
		if overdueGrid || !at(t) {
			continue
		}
		if _, err := svc.Accept(ctx, c.ID, "网格员已受理"); err != nil {
			return fmt.Errorf("demo case %d accept: %w", i, err)
		}
		if overdueCommunity {
			if at(t.Add(time.Hour)) {
				if _, err := svc.Escalate(ctx, c.ID, "网格无法解决，提请社区协调", nil); err != nil {
					return fmt.Errorf("demo case %d escalate: %w", i, err)
				}
			}
			continue
		}
		if src == cases.Diversion110 && pick(25) == 0 {
			if at(t.Add(time.Hour)) {
				if _, err := svc.Return(ctx, c.ID, "经核实属于治安案件，退回公安处理"); err != nil {
					return fmt.Errorf("demo case %d return: %w", i, err)
				}
			}
			continue
		}
		t = t.Add(time.Duration(2+pick(20)) * time.Hour)
		if !at(t) {
			continue
		}
		if _, err := svc.Start(ctx, c.ID, ""); err != nil {
			return fmt.Errorf("demo case %d start: %w", i, err)
		}
		level := cases.LevelGrid
		// Disputes are mediated; about 97 % of mediations reach an agreement.
		if cat.Dispute {
			mediations++
			outcome, agreement := cases.AgreementReached, "双方达成一致，签订调解协议"
			if mediations%33 == 0 {
				outcome, agreement = cases.NotReached, ""
			}
			mediators := []cases.Mediator{{Kind: cases.MediatorGridStaff, PersonID: &head}}
			if src == cases.Diversion110 && pick(3) == 0 {
				mediators = append(mediators, cases.Mediator{Kind: cases.MediatorLawyer, UnitID: &lawFirm.ID, Name: "志愿律师"})
			}
			if _, err := svc.RecordMediation(ctx, cases.NewMediation{CaseID: c.ID, Mediators: mediators,
				Parties:  []cases.NewParty{{Side: cases.Applicant, Name: applicant(in.Reporter, person), Phone: person().Phone}, {Side: cases.Respondent, Name: person().Name, Phone: person().Phone}},
				Sessions: []cases.Session{{HeldAt: t, Place: g.Name + "议事点"}}, Outcome: outcome, Agreement: agreement}); err != nil {
				return fmt.Errorf("demo case %d mediation: %w", i, err)
			}
			if outcome == cases.NotReached {
				// Not settled in the grid: up to the community, onto the joint meeting for community 1.
				if _, err := svc.Escalate(ctx, c.ID, "网格调解未成功，提请社区协调", nil); err != nil {
					return fmt.Errorf("demo case %d escalate: %w", i, err)
				}
				level = cases.LevelCommunity
				t = t.Add(3 * time.Hour)
				if !at(t) {
					continue
				}
				if _, err := svc.Accept(ctx, c.ID, "社区已受理"); err != nil {
					return fmt.Errorf("demo case %d community accept: %w", i, err)
				}
			}
		}
		switch r := pick(100); {
		case level == cases.LevelGrid && !cat.Dispute && (r < 12 || (recent1 && r < 50)):
			if _, err := svc.Escalate(ctx, c.ID, "网格无法解决，提请社区协调", nil); err != nil {
				return fmt.Errorf("demo case %d escalate: %w", i, err)
			}
			level = cases.LevelCommunity
			t = t.Add(time.Duration(2+pick(10)) * time.Hour)
			if !at(t) {
				continue
			}
			if _, err := svc.Accept(ctx, c.ID, "社区已受理"); err != nil {
				return fmt.Errorf("demo case %d community accept: %w", i, err)
			}
		case level == cases.LevelGrid && r < 20 && code == "PROPERTY_HOUSING":
			if _, err := svc.Route(ctx, c.ID, property.ID, "请物业公司处理"); err != nil {
				return fmt.Errorf("demo case %d route: %w", i, err)
			}
			t = t.Add(time.Duration(1+pick(5)) * time.Hour)
			if !at(t) {
				continue
			}
			if _, err := svc.AcceptRouting(ctx, c.ID, "物业已接收"); err != nil {
				return fmt.Errorf("demo case %d accept routing: %w", i, err)
			}
		}
		if level == cases.LevelCommunity && recent1 {
			// Recent community cases of community 1 go onto its next joint meeting.
			if _, err := svc.Escalate(ctx, c.ID, "社区协调未果，提请联席会议协商", &meetingID); err != nil {
				return fmt.Errorf("demo case %d onto the agenda: %w", i, err)
			}
			continue
		}
		if level == cases.LevelCommunity && pick(6) == 0 {
			if _, err := svc.Escalate(ctx, c.ID, "涉及多部门，提请街道统筹", nil); err != nil {
				return fmt.Errorf("demo case %d to the sub-district: %w", i, err)
			}
			t = t.Add(time.Duration(4+pick(20)) * time.Hour)
			if !at(t) {
				continue
			}
			if _, err := svc.Accept(ctx, c.ID, "街道已受理"); err != nil {
				return fmt.Errorf("demo case %d sub-district accept: %w", i, err)
			}
		}
		// Settled within the level's time, mostly; a few recent ones still open.
		t = t.Add(time.Duration(2+pick(40)) * time.Hour)
		if age < 4*24*time.Hour && pick(2) == 0 {
			continue
		}
		if !at(t) {
			continue
		}
		if _, err := svc.Resolve(ctx, c.ID, "已妥善处置"); err != nil {
			return fmt.Errorf("demo case %d resolve: %w", i, err)
		}
		t = t.Add(time.Duration(24+pick(72)) * time.Hour)
		if !at(t) {
			continue
		}
		sat := cases.Satisfied
		if r := pick(20); r == 0 {
			sat = cases.Dissatisfied
		} else if r < 4 {
			sat = cases.BasicallySatisfied
		}
		if _, err := svc.Close(ctx, c.ID, sat, "回访"); err != nil {
			return fmt.Errorf("demo case %d close: %w", i, err)
		}
	}
	return nil
}

// applicant names the applicant of a demo mediation: the reporter, or someone.
func applicant(reporter *cases.Personal, person func() *cases.Personal) string {
	if reporter != nil {
		return reporter.Name
	}
	return person().Name
}
