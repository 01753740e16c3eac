package graph

import (
	"encoding/csv"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"cogov/internal/lists"
	"cogov/internal/problem"
	"cogov/internal/store"
	"cogov/internal/structure"
)

// maxExportRows caps a list export; a sub-district's lists are far shorter.
const maxExportRows = 20000

// ExportHandler serves the figures and the three lists as CSV for the
// monthly report a sub-district files:
//
//	GET /export/subdistricts/{code}/stats.csv?from=YYYY-MM-DD&to=YYYY-MM-DD
//	GET /export/subdistricts/{code}/needs.csv
//	GET /export/subdistricts/{code}/offers.csv
//	GET /export/subdistricts/{code}/projects.csv
//	GET /export/subdistricts/{code}/cases.csv?from=YYYY-MM-DD&to=YYYY-MM-DD
//	GET /export/subdistricts/{code}/case-figures.csv?from=YYYY-MM-DD&to=YYYY-MM-DD
//
// They are authorized like the queries they mirror: the figures and the
// lists are public, so anyone may download them; mount the handler behind
// Authenticate so that a signed-in viewer reads as themselves. Files are
// UTF-8 with a byte-order mark, which Excel needs to show Chinese.
func ExportHandler(r *Resolver, st *store.Store, log *slog.Logger) http.Handler {
	x := exports{r: r, st: st, log: log}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /export/subdistricts/{code}/{file}", x.serve)
	return CheckURL(mux)
}

type exports struct {
	r   *Resolver
	st  *store.Store
	log *slog.Logger
}

func (x exports) serve(w http.ResponseWriter, req *http.Request) {
	ctx := req.Context()
	sd, err := x.r.Structure.SubdistrictByCode(ctx, req.PathValue("code"))
	if errors.Is(err, problem.ErrNotFound) {
		http.NotFound(w, req)
		return
	}
	if err != nil {
		x.fail(w, req, err)
		return
	}
	var rows [][]string
	file := req.PathValue("file")
	switch file {
	case "stats.csv":
		rows, err = x.stats(req, sd)
	case "needs.csv":
		rows, err = x.needs(req, sd)
	case "offers.csv":
		rows, err = x.offers(req, sd)
	case "projects.csv":
		rows, err = x.projects(req, sd)
	case "cases.csv":
		rows, err = x.cases(req, sd)
	case "case-figures.csv":
		rows, err = x.caseFigures(req, sd)
	default:
		http.NotFound(w, req)
		return
	}
	var bad badRequest
	if errors.Is(err, problem.ErrNotFound) {
		http.NotFound(w, req)
		return
	}
	if errors.As(err, &bad) {
		http.Error(w, string(bad), http.StatusBadRequest)
		return
	}
	if err != nil {
		x.fail(w, req, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s"`, sd.Code, file))
	_, _ = w.Write([]byte("\ufeff"))
	for _, row := range rows {
		for i, cell := range row {
			row[i] = safeCell(cell)
		}
	}
	cw := csv.NewWriter(w)
	_ = cw.WriteAll(rows)
}

// safeCell keeps a spreadsheet from reading text that people typed (a need's
// title, say) as a formula: a cell that starts like one gets a leading
// apostrophe (OWASP's advice against CSV injection). Numbers stay numbers.
func safeCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '@', '\t', '\r':
		return "'" + s
	case '-':
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return "'" + s
		}
	}
	return s
}

type badRequest string

func (b badRequest) Error() string { return string(b) }

func (x exports) fail(w http.ResponseWriter, req *http.Request, err error) {
	failHTTP(w, req, x.log, "export", err)
}

// failHTTP answers a request that failed on the server's side: 503 with
// Retry-After when the database is out of reach, else 500; only the
// latter is logged as an error.
func failHTTP(w http.ResponseWriter, req *http.Request, log *slog.Logger, what string, err error) {
	if errors.Is(err, problem.ErrUnavailable) {
		log.WarnContext(req.Context(), what+": database unavailable", "err", err, "path", req.URL.Path, "request", RequestID(req.Context()))
		w.Header().Set("Retry-After", retryAfterOutage)
		http.Error(w, msgUnavailable, http.StatusServiceUnavailable)
		return
	}
	log.ErrorContext(req.Context(), what, "err", err, "path", req.URL.Path, "request", RequestID(req.Context()))
	http.Error(w, "internal error", http.StatusInternalServerError)
}

func day(q, name string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", q)
	if err != nil {
		return t, badRequest(name + " must be a day written YYYY-MM-DD")
	}
	return t, nil
}

func (x exports) stats(req *http.Request, sd structure.Subdistrict) ([][]string, error) {
	from, err := day(req.URL.Query().Get("from"), "from")
	if err != nil {
		return nil, err
	}
	to, err := day(req.URL.Query().Get("to"), "to")
	if err != nil {
		return nil, err
	}
	if lists.CheckPeriod(from, to) != nil {
		return nil, badRequest("to must not be before from, and at most 366 days after it")
	}
	s, err := x.r.Lists.Figures(req.Context(), sd.ID, from, to)
	if err != nil {
		return nil, err
	}
	util := ""
	if s.OpenHours > 0 {
		util = ff(s.BookedHours / s.OpenHours)
	}
	return [][]string{
		{"指标 figure", "数值 value"},
		{"街道 subdistrict", sd.Name},
		{"起 from", from.Format("2006-01-02")},
		{"止 to", to.Format("2006-01-02")},
		{"兼职委员 partTimeMembers", strconv.Itoa(s.PartTimeMembers)},
		{"共享场地单位 unitsSharingVenues", strconv.Itoa(s.UnitsSharingVenues)},
		{"共享面积(平方米) sharedAreaSqm", ff(s.SharedAreaSqm)},
		{"批准预订 bookingsApproved", strconv.Itoa(s.BookingsApproved)},
		{"预订小时 bookedHours", ff(s.BookedHours)},
		{"参加人次 attendees", strconv.Itoa(s.Attendees)},
		{"场地利用率 venueUtilization", util},
		{"联席会议 jointMeetingsHeld", strconv.Itoa(s.JointMeetingsHeld)},
		{"未解决需求 needsOpen", strconv.Itoa(s.NeedsOpen)},
		{"已解决需求 needsMet", strconv.Itoa(s.NeedsMet)},
		{"进行中项目 projectsActive", strconv.Itoa(s.ProjectsActive)},
		{"已完成项目 projectsCompleted", strconv.Itoa(s.ProjectsCompleted)},
	}, nil
}

func ff(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// all pages through a list of the sub-district.
func all[T any](req *http.Request, sd string, fetch func(parents []string, p store.Page) (map[string]*store.Conn[T], error)) ([]T, error) {
	var out []T
	p := store.Page{First: store.MaxPage}
	for len(out) < maxExportRows {
		m, err := fetch([]string{sd}, p)
		if err != nil {
			return nil, err
		}
		c := m[sd]
		if c == nil {
			break
		}
		out = append(out, c.Items...)
		if !c.HasNext || len(c.Cursors) == 0 {
			break
		}
		p.After = c.Cursors[len(c.Cursors)-1]
	}
	return out, nil
}

func optInt(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

func optDay(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("2006-01-02")
}

func (x exports) needs(req *http.Request, sd structure.Subdistrict) ([][]string, error) {
	ctx := req.Context()
	ns, err := all(req, sd.ID, func(ps []string, p store.Page) (map[string]*store.Conn[lists.Need], error) {
		return x.st.Needs(ctx, store.NeedsOfSubdistrict, ps, store.ListsFilter{}, p)
	})
	if err != nil {
		return nil, err
	}
	names, err := x.committeeNames(req, sd)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"id", "发布时间 postedAt", "委员会 committee", "标题 title", "类别 category", "受益人数 peopleAffected", "紧急程度 urgency",
		"状态 status", "层级 level", "说明 description"}}
	for _, n := range ns {
		rows = append(rows, []string{globalID(typeNeed, n.ID), n.CreatedAt.Format(time.RFC3339), names[n.CommitteeID], n.Title, string(n.Category),
			optInt(n.PeopleAffected), string(n.Urgency), string(n.Status), string(n.Level), n.Description})
	}
	return rows, nil
}

func (x exports) offers(req *http.Request, sd structure.Subdistrict) ([][]string, error) {
	ctx := req.Context()
	os, err := all(req, sd.ID, func(ps []string, p store.Page) (map[string]*store.Conn[lists.Offer], error) {
		return x.st.Offers(ctx, store.OffersOfSubdistrict, ps, store.ListsFilter{}, p)
	})
	if err != nil {
		return nil, err
	}
	units, err := x.unitNames(req, sd)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"id", "发布时间 postedAt", "单位 unit", "标题 title", "类别 category", "数量 quantity", "起 availableFrom", "止 availableTo",
		"状态 status", "说明 description"}}
	for _, o := range os {
		rows = append(rows, []string{globalID(typeOffer, o.ID), o.CreatedAt.Format(time.RFC3339), units[o.UnitID], o.Title, string(o.Category),
			optInt(o.Quantity), optDay(o.AvailableFrom), optDay(o.AvailableTo), string(o.Status), o.Description})
	}
	return rows, nil
}

func (x exports) projects(req *http.Request, sd structure.Subdistrict) ([][]string, error) {
	ctx := req.Context()
	ps, err := all(req, sd.ID, func(parents []string, p store.Page) (map[string]*store.Conn[lists.Project], error) {
		return x.st.Projects(ctx, store.ProjectsOfSubdistrict, parents, store.ListsFilter{}, p)
	})
	if err != nil {
		return nil, err
	}
	units, err := x.unitNames(req, sd)
	if err != nil {
		return nil, err
	}
	committees, err := x.committeeNames(req, sd)
	if err != nil {
		return nil, err
	}
	rows := [][]string{{"id", "启动时间 launchedAt", "标题 title", "责任方 owner", "截止 dueOn", "状态 status", "进度 progressPercent",
		"需求数 needs", "资源数 offers"}}
	for _, p := range ps {
		owner := ""
		if p.OwnerUnitID != nil {
			owner = units[*p.OwnerUnitID]
		} else if p.OwnerCommitteeID != nil {
			owner = committees[*p.OwnerCommitteeID]
		}
		rows = append(rows, []string{globalID(typeProject, p.ID), p.CreatedAt.Format(time.RFC3339), p.Title, owner, optDay(p.DueOn),
			string(p.Status), strconv.Itoa(p.ProgressPercent), strconv.Itoa(len(p.NeedIDs)), strconv.Itoa(len(p.OfferIDs))})
	}
	return rows, nil
}

func (x exports) committeeNames(req *http.Request, sd structure.Subdistrict) (map[string]string, error) {
	cs, err := all(req, sd.ID, func(ps []string, p store.Page) (map[string]*store.Conn[structure.Committee], error) {
		return x.st.Committees(req.Context(), ps, store.ListFilter{}, p)
	})
	out := map[string]string{}
	for _, c := range cs {
		out[c.ID] = c.Name
	}
	return out, err
}

func (x exports) unitNames(req *http.Request, sd structure.Subdistrict) (map[string]string, error) {
	us, err := all(req, sd.ID, func(ps []string, p store.Page) (map[string]*store.Conn[structure.Unit], error) {
		return x.st.Units(req.Context(), ps, false, store.ListFilter{}, p)
	})
	out := map[string]string{}
	for _, u := range us {
		out[u.ID] = u.Name
	}
	return out, err
}
