package demo

import (
	"context"
	"fmt"
	"time"

	"cogov/internal/booking"
	"cogov/internal/clock"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// Venue is a demo venue offered by a unit.
type Venue struct {
	UnitKey        string
	CommunityIndex int // where it lies; the unit's community when -1
	Name           string
	Kind           booking.VenueKind
	AreaSqm        float64
	Capacity       int
	Facilities     []string
	Description    string
	Hours          []booking.Hours
	Approval       bool
	BufferMinutes  int
}

// Weekly hour patterns of the demo venues.
var (
	// every day 08:00–21:30: the source's "365 days", evenings included.
	everyDayEvenings = daily(8*60, 21*60+30)
	// every day 08:00–21:00.
	everyDay = daily(8*60, 21*60)
	// Monday to Friday 09:00–17:30.
	officeHours = days(1, 5, 9*60, 17*60+30)
	// Saturday and Sunday 08:00–18:00: a school ground when there is no school.
	weekends = days(6, 7, 8*60, 18*60)
	// every night 19:00–07:30, as two ranges a day that the evaluation joins across midnight.
	nights = append(daily(19*60, 24*60), daily(0, 7*60+30)...)
	// Monday to Friday 13:00–21:00 and weekends 08:00–21:00: the elderly
	// centre's weekday mornings are kept for the elderly's own drop-in
	// activities, so they are simply not bookable hours. Weekly hours say
	// when committees may book, which is the simplest honest model of a
	// reservation that recurs every week; a dated exception would have to
	// be repeated for every day.
	elderlyCentre = append(days(1, 5, 13*60, 21*60), days(6, 7, 8*60, 21*60)...)
)

func days(from, to, opens, closes int) []booking.Hours {
	var hs []booking.Hours
	for d := from; d <= to; d++ {
		hs = append(hs, booking.Hours{Weekday: d, Opens: opens, Closes: closes})
	}
	return hs
}

func daily(opens, closes int) []booking.Hours { return days(1, 7, opens, closes) }

// Venues lists the demo venues: the two the source names first, then 21
// venues of other units across the communities.
var Venues = []Venue{
	{"hnig", -1, "核工业地质局社区服务空间", booking.KindServiceSpace, 2000, 250,
		[]string{"投影仪", "音响", "舞台", "空调", "无障碍通道", "WiFi"},
		"湖南省核工业地质局向社区开放的2000平方米社区服务空间，可举办讲座、文艺演出和居民议事会。", everyDayEvenings, true, 30},
	{"water", -1, "水利厅老年活动中心", booking.KindActivityCentre, 1000, 120,
		[]string{"棋牌桌", "乒乓球台", "阅览室", "空调", "无障碍通道"},
		"湖南省水利厅开放的1000平方米老年活动中心；工作日上午为老年人专用时段，不接受预订。", elderlyCentre, true, 15},
	{"forestry", 6, "林业局三楼会议室", booking.KindMeetingRoom, 120, 40, []string{"投影仪", "空调", "WiFi"}, "可容纳40人的会议室。", officeHours, false, 10},
	{"coalgeo", 4, "煤田地质局职工活动室", booking.KindActivityCentre, 300, 80, []string{"音响", "空调"}, "职工活动室，晚间向社区开放。", everyDay, true, 15},
	{"nonferrous", -1, "有色地质勘查局报告厅", booking.KindHall, 600, 300, []string{"投影仪", "音响", "舞台", "空调"}, "300座报告厅。", officeHours, true, 30},
	{"weather", -1, "气象局科普小屋", booking.KindOther, 80, 30, []string{"科普展板", "空调"}, "气象科普教育场所。", officeHours, false, 0},
	{"hydrology", 3, "水文中心党员活动室", booking.KindMeetingRoom, 90, 30, []string{"投影仪", "党建书架"}, "党员活动室。", officeHours, false, 10},
	{"cs-urban", 4, "城管局夜间停车场", booking.KindCarPark, 2500, 120, []string{"车位120个", "监控"}, "夜间向居民开放的停车场，可供社区活动停车。", nights, false, 0},
	{"cs-water", -1, "水务局一楼会议室", booking.KindMeetingRoom, 100, 36, []string{"投影仪", "空调", "WiFi"}, "一楼会议室。", officeHours, false, 10},
	{"hjt-school", -1, "侯家塘小学运动场", booking.KindSportsGround, 3000, 400, []string{"跑道", "篮球场", "洗手间"}, "周末开放的学校运动场。", weekends, true, 30},
	{"hjt-property", -1, "湘安物业邻里中心", booking.KindServiceSpace, 260, 60, []string{"空调", "茶水", "WiFi"}, "小区邻里中心。", everyDay, false, 10},
	{"dt-hospital", -1, "东塘医院健康教育室", booking.KindMeetingRoom, 110, 50, []string{"投影仪", "血压计", "空调"}, "健康讲座场地。", officeHours, true, 15},
	{"dt-store", -1, "东塘百货多功能厅", booking.KindHall, 450, 180, []string{"音响", "舞台", "空调"}, "商场顶层多功能厅。", everyDay, true, 30},
	{"hqq-social", -1, "红旗区邻里互助活动室", booking.KindActivityCentre, 150, 45, []string{"棋牌桌", "空调"}, "邻里互助协会活动室。", everyDayEvenings, false, 0},
	{"ssl-design", -1, "韶山路设计院学术报告厅", booking.KindHall, 500, 220, []string{"投影仪", "音响", "空调", "WiFi"}, "学术报告厅。", officeHours, true, 30},
	{"ldl-school", -1, "劳动路中学体育馆", booking.KindSportsGround, 1800, 350, []string{"篮球场", "羽毛球场", "洗手间"}, "周末向社区开放的体育馆。", weekends, true, 30},
	{"fr-hotel", -1, "芙蓉宾馆会议中心", booking.KindMeetingRoom, 220, 90, []string{"投影仪", "音响", "空调", "茶水"}, "宾馆会议中心。", everyDay, true, 30},
	{"tet-school", -1, "天鹅塘小学运动场", booking.KindSportsGround, 2200, 300, []string{"跑道", "足球场"}, "周末开放的学校运动场。", weekends, true, 30},
	{"ctl-health", -1, "长塘里卫生服务中心健康小屋", booking.KindOther, 60, 20, []string{"血压计", "体重秤"}, "健康自测小屋。", officeHours, false, 0},
	{"jx-culture", -1, "建湘文化服务中心排练厅", booking.KindActivityCentre, 320, 100, []string{"镜面墙", "音响", "空调"}, "文艺排练厅。", everyDayEvenings, true, 15},
	{"sg-school", -1, "曙光中学礼堂", booking.KindHall, 900, 500, []string{"舞台", "音响", "投影仪"}, "周末开放的学校礼堂。", weekends, true, 30},
	{"xy-bank", -1, "向阳支行党建活动室", booking.KindMeetingRoom, 70, 25, []string{"投影仪", "空调"}, "银行党建活动室。", officeHours, false, 10},
	{"cg-property", -1, "晨光物业地下停车场", booking.KindCarPark, 4000, 150, []string{"车位200个", "监控"}, "夜间向社区开放的地下停车场。", nights, false, 0},
}

// loadVenues registers the demo venues with their hours and rules and books
// them as the plan says: completed bookings with attendance in the past
// weeks, approved ones awaiting attendance, and pending and approved ones
// (two of them weekly) in the coming weeks.
func loadVenues(ctx context.Context, st *store.Store, now clock.Clock, plan Plan, sd structure.Subdistrict, communities []structure.Community,
	units map[string]structure.Unit, parties []structure.Committee) (map[string]booking.Venue, error) {
	svc := booking.NewService(st, now)
	venues := map[string]booking.Venue{}
	for _, dv := range Venues {
		u := units[dv.UnitKey]
		community := communities[0].ID
		switch {
		case dv.CommunityIndex >= 0:
			community = communities[dv.CommunityIndex].ID
		case u.CommunityID != nil:
			community = *u.CommunityID
		}
		area := dv.AreaSqm
		v, err := svc.CreateVenue(ctx, booking.NewVenue{UnitID: u.ID, CommunityID: community, Name: dv.Name, Kind: dv.Kind,
			Address: u.Address, AreaSqm: &area, Capacity: dv.Capacity, Facilities: dv.Facilities, Description: dv.Description, Demo: true})
		if err != nil {
			return nil, fmt.Errorf("venue %s: %w", dv.Name, err)
		}
		var exceptions *[]booking.Exception
		if dv.UnitKey == "water" { // the elderly centre closes on National Day
			exceptions = &plan.Closures
		}
		if _, err := svc.SetOpeningHours(ctx, v.ID, dv.Hours, exceptions); err != nil {
			return nil, fmt.Errorf("hours of %s: %w", dv.Name, err)
		}
		if v, err = svc.SetBookingRules(ctx, v.ID, dv.Rules()); err != nil {
			return nil, fmt.Errorf("rules of %s: %w", dv.Name, err)
		}
		venues[dv.UnitKey] = v
	}

	// The past: through the store, as the rules forbid booking the past.
	for _, p := range plan.Past {
		v := venues[p.Venue]
		b := booking.Booking{SubdistrictID: sd.ID, VenueID: v.ID, CommitteeID: parties[p.Committee].ID, Start: p.Start,
			End: p.End, Purpose: p.Purpose, ExpectedAttendees: p.Expected, Status: booking.Approved, Demo: true}
		b.HeldEnd = b.End.Add(time.Duration(v.Rules.BufferMinutes) * time.Minute)
		created, _, err := st.CreateBookings(ctx, booking.NewRequest{SubdistrictID: sd.ID, VenueID: v.ID, CommitteeID: b.CommitteeID,
			Fingerprint: "demo", Demo: true}, []booking.Booking{b}, false)
		if err != nil {
			return nil, fmt.Errorf("past booking %s: %w", p.Purpose, err)
		}
		if p.Attended != nil {
			if _, err := svc.RecordAttendance(ctx, created[0].ID, nil, *p.Attended); err != nil {
				return nil, fmt.Errorf("attendance of %s: %w", p.Purpose, err)
			}
		}
	}

	// The coming weeks, through the service and its rules.
	for _, f := range plan.Future {
		v := venues[f.Venue]
		in := booking.Request{VenueID: v.ID, CommitteeID: parties[f.Committee].ID, Start: f.Start, End: f.End,
			Purpose: f.Purpose, ExpectedAttendees: f.Expected, Demo: true}
		if f.Weekly > 0 {
			in.Recurrence, in.Policy = &booking.Recurrence{Interval: 1, Count: &f.Weekly}, booking.SkipConflicts
		}
		res, err := svc.RequestBooking(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("booking %s at %s: %w", f.Purpose, v.Name, err)
		}
		if f.Approve && v.Rules.RequiresApproval {
			if _, err := svc.Approve(ctx, res.Bookings[0].ID, nil, "同意，请按时使用"); err != nil {
				return nil, fmt.Errorf("approve %s: %w", f.Purpose, err)
			}
		}
	}
	return venues, nil
}

func ptr(n int) *int { return &n }
