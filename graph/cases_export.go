package graph

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"cogov/internal/access"
	"cogov/internal/cases"
	"cogov/internal/problem"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// The grid-affairs exports: the cases of a period and their figures, for
// those who work in the sub-district (others get 404, as for the queries).
// Residents' contacts are masked in the export whoever downloads it: a
// file travels further than a screen.

// casePeriod reads the from and to days of an export.
func casePeriod(req *http.Request) (from, to time.Time, err error) {
	if from, err = day(req.URL.Query().Get("from"), "from"); err != nil {
		return
	}
	if to, err = day(req.URL.Query().Get("to"), "to"); err != nil {
		return
	}
	if to.Before(from) || to.Sub(from) > 366*24*time.Hour {
		err = badRequest("to must not be before from, and at most 366 days after it")
	}
	return
}

func (x exports) cases(req *http.Request, sd structure.Subdistrict) ([][]string, error) {
	ctx := req.Context()
	if !cases.CanSee(access.From(ctx), sd.ID) {
		return nil, problem.ErrNotFound
	}
	from, to, err := casePeriod(req)
	if err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(sd.TimeZone)
	if err != nil {
		return nil, err
	}
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	end := time.Date(to.Year(), to.Month(), to.Day()+1, 0, 0, 0, 0, loc)
	cs, err := all(req, sd.ID, func(ps []string, p store.Page) (map[string]*store.Conn[cases.Case], error) {
		return x.st.Cases(ctx, store.CasesOfSubdistrict, ps, store.CaseFilter{}, p)
	})
	if err != nil {
		return nil, err
	}
	cats, err := x.st.CaseCategories(ctx, []string{sd.ID})
	if err != nil {
		return nil, err
	}
	catNames := map[string]string{}
	for _, c := range cats[sd.ID] {
		catNames[c.ID] = c.Name
	}
	grids, err := gridNames(ctx, x.st, cs)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"id", "上报时间 reportedAt", "来源 source", "类别 category", "网格 grid", "标题 title", "地址 address",
		"上报人 reporter", "状态 status", "层级 level", "超时 overdue", "办结时间 resolvedAt", "办结层级 settledLevel", "满意度 satisfaction"}}
	now := x.r.GridCases.Now()
	for _, c := range cs {
		if c.ReportedAt.Before(start) || !c.ReportedAt.Before(end) {
			continue
		}
		settled, sat, resolved := "", "", ""
		if c.SettledLevel != nil {
			settled = string(*c.SettledLevel)
		}
		if c.Satisfaction != nil {
			sat = string(*c.Satisfaction)
		}
		if c.ResolvedAt != nil {
			resolved = c.ResolvedAt.In(loc).Format(time.RFC3339)
		}
		rows = append(rows, []string{globalID(typeCase, c.ID), c.ReportedAt.In(loc).Format(time.RFC3339), string(c.Source), catNames[c.CategoryID],
			grids[c.GridID], c.Title, c.Address, c.ReporterMasked, string(c.Status), string(c.Level), strconv.FormatBool(c.Overdue(now)),
			resolved, settled, sat})
	}
	return rows, nil
}

// gridNames names the grids of a list of cases.
func gridNames(ctx context.Context, st *store.Store, cs []cases.Case) (map[string]string, error) {
	ids := map[string]bool{}
	var list []string
	for _, c := range cs {
		if !ids[c.GridID] {
			ids[c.GridID] = true
			list = append(list, c.GridID)
		}
	}
	gs, err := st.GridsByID(ctx, list)
	out := map[string]string{}
	for id, g := range gs {
		out[id] = g.Name
	}
	return out, err
}

func rate(r *float64) string {
	if r == nil {
		return ""
	}
	return ff(*r)
}

func (x exports) caseFigures(req *http.Request, sd structure.Subdistrict) ([][]string, error) {
	ctx := req.Context()
	from, to, err := casePeriod(req)
	if err != nil {
		return nil, err
	}
	f, err := x.r.GridCases.Figures(ctx, sd.ID, sd.TimeZone, from, to)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	var ids []string
	for _, s := range f.Grids {
		ids = append(ids, s.ID)
	}
	gs, err := x.st.GridsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	for id, g := range gs {
		names[id] = g.Name
	}
	var comIDs []string
	for _, s := range f.Communities {
		comIDs = append(comIDs, s.ID)
	}
	coms, err := x.st.CommunitiesByID(ctx, comIDs)
	if err != nil {
		return nil, err
	}
	for id, c := range coms {
		names[id] = c.Name
	}
	rows := [][]string{{"范围 scope", "名称 name", "社区 community", "上报 reported", "按时受理率 onTimeAcceptanceRate", "办结 resolved",
		"按时办结率 onTimeResolutionRate", "网格内解决占比 settledInGridShare", "调解 mediationsConcluded", "调解成功率 mediationSuccessRate",
		"回访 visited", "满意率 satisfactionRate", "未办结 open"}}
	line := func(scope, name, community string, r cases.Rates) []string {
		return []string{scope, name, community, strconv.Itoa(r.Reported), rate(r.OnTimeAcceptance()), strconv.Itoa(r.Resolved),
			rate(r.OnTimeResolution()), rate(r.SettledInGridShare()), strconv.Itoa(r.MediationsConcluded), rate(r.MediationSuccess()),
			strconv.Itoa(r.Visited), rate(r.Satisfaction()), strconv.Itoa(r.Open)}
	}
	rows = append(rows, line("街道 subdistrict", sd.Name, "", f.Total))
	for _, s := range f.Communities {
		rows = append(rows, line("社区 community", names[s.ID], names[s.ID], s.Rates))
	}
	for _, s := range f.Grids {
		rows = append(rows, line("网格 grid", names[s.ID], names[s.CommunityID], s.Rates))
	}
	return rows, nil
}
