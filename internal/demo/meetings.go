package demo

import (
	"context"
	"fmt"
	"time"

	"cogov/internal/booking"
	"cogov/internal/clock"
	"cogov/internal/lists"
	"cogov/internal/meeting"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// loadMeetings holds a monthly joint meeting of the working committee on
// the 10th (or the nearest weekday) of each of the past six months (every current member invited,
// the 11 part-time members included; agenda, attendance, minutes and
// resolutions recorded), and fills the three lists: needs from several
// communities, offers from several units (the two big venues among them)
// and projects in each status, one decided by a meeting's resolution.
// The meetings were held in the sub-district's own office, so they book no
// shared venue: the venue figures and calendars stay those of loadVenues.
func loadMeetings(ctx context.Context, st *store.Store, clk clock.Clock, plan Plan, wc structure.Committee,
	units map[string]structure.Unit, parties []structure.Committee, venues map[string]booking.Venue) error {
	meetings := meeting.NewService(st, booking.NewService(st, clk), clk)
	lst := lists.NewService(st, meetings, clk)
	now := plan.Now.In(plan.Location)
	agenda := []meeting.AgendaInput{{Title: "通报上月需求清单和项目进展", DurationMinutes: ptr(30)},
		{Title: "驻区单位资源认领", DurationMinutes: ptr(45)}, {Title: "研究本月共建项目", DurationMinutes: ptr(45)}}
	resolutions := [][]string{
		{"核工业地质局社区服务空间每周三下午向社区开放", "建立需求清单月度通报制度"},
		{"水利厅老年活动中心承接重阳节敬老活动"},
		{"律师事务所每月到社区开展一次法律咨询"},
		{"学校运动场周末向社区青少年开放"},
		{"东塘医院开展健康讲座进社区"},
		{"燃气服务站开展入户安全检查"},
	}
	var resolutionIDs []string
	var last meeting.Meeting
	for k, start := range plan.Meetings {
		i := len(plan.Meetings) - k
		ms, err := meetings.ScheduleJointMeeting(ctx, meeting.Schedule{ConvenerIDs: []string{wc.ID},
			Title: fmt.Sprintf("%s第%d次联席会议", wc.Name, 7-i), Start: start, End: start.Add(2 * time.Hour), Agenda: agenda, Demo: true})
		if err != nil {
			return fmt.Errorf("joint meeting: %w", err)
		}
		seats, err := st.CurrentMembers(ctx, []string{wc.ID})
		if err != nil {
			return err
		}
		var attended []string
		for k, s := range seats {
			if (k+i)%5 != 0 { // about four in five came
				attended = append(attended, s.ID)
			}
		}
		res := resolutions[6-i]
		if last, err = meetings.RecordOutcome(ctx, ms[0].ID, meeting.Outcome{AttendeeMembershipIDs: attended,
			Minutes:     fmt.Sprintf("会议由街道党工委书记主持，%d名委员出席。会议通报了需求清单，驻区单位认领了资源，研究确定了共建项目。", len(attended)),
			Resolutions: res}); err != nil {
			return fmt.Errorf("outcome of %s: %w", ms[0].Title, err)
		}
		rs, err := st.Resolutions(ctx, []string{last.ID})
		if err != nil {
			return err
		}
		for _, r := range rs[last.ID] {
			resolutionIDs = append(resolutionIDs, r.ID)
		}
	}

	type dn struct {
		community int
		title     string
		category  lists.Category
		people    int
		urgency   lists.Urgency
		desc      string
	}
	needs := []dn{
		{0, "老年人活动场地不足", lists.ElderlyCare, 800, lists.High, "社区60岁以上老人约800人，缺少室内文体活动场地。"},
		{1, "青少年暑期托管", lists.Youth, 120, lists.Normal, "双职工家庭子女暑期无人看管。"},
		{2, "老旧小区消防隐患", lists.Safety, 600, lists.High, "楼道堆物、电动车入户充电。"},
		{3, "居民议事缺少会议室", lists.Venue, 200, lists.Normal, "居民议事会每月召开，缺少固定会议室。"},
		{4, "法律咨询服务", lists.LegalAid, 150, lists.Low, "居民在物业纠纷、婚姻家庭方面需要法律咨询。"},
		{6, "夜间停车难", lists.Other, 300, lists.Normal, "小区车位不足，夜间乱停车。"},
		{7, "就业技能培训", lists.Employment, 60, lists.Normal, "失业人员需要技能培训。"},
		{8, "垃圾分类宣传", lists.Environment, 1000, lists.Low, "居民垃圾分类知晓率不高。"},
	}
	needIDs := make([]string, len(needs))
	for i, n := range needs {
		need, err := lst.PostNeed(ctx, lists.NewNeed{CommitteeID: parties[n.community].ID, Title: n.title, Category: n.category,
			Description: n.desc, PeopleAffected: &n.people, Urgency: n.urgency, Demo: true})
		if err != nil {
			return fmt.Errorf("need %s: %w", n.title, err)
		}
		needIDs[i] = need.ID
	}
	// The fire-safety need went up to the sub-district, onto the last meeting's agenda (already held: the trail only).
	if _, err := lst.Escalate(ctx, needIDs[2], "社区无法单独解决，提请街道联席会议协调", nil); err != nil {
		return fmt.Errorf("escalation: %w", err)
	}

	type do struct {
		unit     string
		venue    bool
		title    string
		category lists.Category
		desc     string
		quantity int
	}
	offers := []do{
		{"hnig", true, "社区服务空间向居民开放", lists.Venue, "2000平方米社区服务空间，每周三下午和周末向社区开放。", 0},
		{"water", true, "老年活动中心开放", lists.ElderlyCare, "1000平方米老年活动中心，工作日下午和周末可预约。", 0},
		{"hjt-law", false, "每月一次免费法律咨询", lists.LegalAid, "律师每月到社区坐班半天。", 12},
		{"hjt-school", true, "运动场周末开放", lists.Youth, "周末向社区青少年开放运动场。", 0},
		{"dt-hospital", true, "健康讲座进社区", lists.ElderlyCare, "医生每季度到社区开展健康讲座。", 4},
		{"cs-urban", true, "夜间停车场共享", lists.Other, "夜间停车位向周边居民开放。", 120},
	}
	offerIDs := make([]string, len(offers))
	for i, o := range offers {
		in := lists.NewOffer{UnitID: units[o.unit].ID, Title: o.title, Category: o.category, Description: o.desc, Demo: true}
		if o.venue {
			v := venues[o.unit].ID
			in.VenueID = &v
		}
		if o.quantity > 0 {
			in.Quantity = &o.quantity
		}
		offer, err := lst.PostOffer(ctx, in)
		if err != nil {
			return fmt.Errorf("offer %s: %w", o.title, err)
		}
		offerIDs[i] = offer.ID
	}

	unit := func(key string) *string { id := units[key].ID; return &id }
	due := time.Date(now.Year(), now.Month()+2, 28, 0, 0, 0, 0, time.UTC)
	projects := []struct {
		title      string
		need       int
		offer      int
		owner      *string
		resolution int
		end        lists.ProjectStatus
		progress   []int
	}{
		{"老年人活动进服务空间", 0, 0, unit("hnig"), 0, lists.ProjectActive, []int{20, 50}},
		{"社区法律咨询日", 4, 2, unit("hjt-law"), 2, lists.ProjectCompleted, []int{40, 80}},
		{"青少年周末运动", 1, 3, unit("hjt-school"), 3, lists.ProjectActive, []int{30}},
		{"夜间错时停车", 5, 5, unit("cs-urban"), -1, lists.ProjectDropped, []int{10}},
	}
	for _, p := range projects {
		in := lists.NewProject{Title: p.title, NeedIDs: []string{needIDs[p.need]}, OfferIDs: []string{offerIDs[p.offer]}, OwnerUnitID: p.owner,
			DueOn: &due, Demo: true}
		if p.resolution >= 0 && p.resolution < len(resolutionIDs) {
			in.ResolutionID = &resolutionIDs[p.resolution]
		}
		pr, err := lst.LaunchProject(ctx, in)
		if err != nil {
			return fmt.Errorf("project %s: %w", p.title, err)
		}
		for _, pc := range p.progress {
			if _, err := lst.ReportProgress(ctx, pr.ID, pc, fmt.Sprintf("已完成%d%%", pc)); err != nil {
				return fmt.Errorf("progress of %s: %w", p.title, err)
			}
		}
		switch p.end {
		case lists.ProjectCompleted:
			_, err = lst.Complete(ctx, pr.ID, "项目完成，居民满意")
		case lists.ProjectDropped:
			_, err = lst.Drop(ctx, pr.ID, "周边小区物业未能达成一致")
		}
		if err != nil {
			return fmt.Errorf("end of %s: %w", p.title, err)
		}
	}
	return nil
}
