// Package demo holds the Houjiatang demo data set: the stationed units, the
// sub-district big working committee (街道大工委), the 12 communities with
// their 34 grids, and each community's big party committee (社区大党委) of
// Houjiatang Sub-district (侯家塘街道), Yuhua District, Changsha.
//
// The counts follow the source text (12 communities, 34 grids, 34 grid heads,
// 68 deputy grid heads, 238 grid workers, 11 part-time members of the working
// committee, 46 part-time members of the community committees). Everything
// else is invented: organisation names, addresses, person names, titles and
// most community names are demo records that merely sound plausible; none of
// them describes a real person or a real organisation's involvement.
//
// The package holds plain data and deterministic generators only. Person
// names come from a fixed generator (personName), so the data set is the same
// on every run and no person appears twice.
package demo

// Unit kinds.
const (
	kindProvincial = "PROVINCIAL_AGENCY"
	kindMunicipal  = "MUNICIPAL_AGENCY"
	kindState      = "STATE_ENTERPRISE"
	kindPrivate    = "PRIVATE_ENTERPRISE"
	kindInstitute  = "INSTITUTION"
	kindProperty   = "PROPERTY_MANAGEMENT"
	kindSocial     = "SOCIAL_ORGANIZATION"
	kindLaw        = "LAW_FIRM"
	kindSchool     = "SCHOOL"
	kindHospital   = "HOSPITAL"
	kindOther      = "OTHER"
)

// Committee roles.
const (
	roleSecretary = "SECRETARY"
	roleDeputy    = "DEPUTY_SECRETARY"
	roleMember    = "MEMBER"
	rolePartTime  = "PART_TIME_MEMBER"
)

// Unit is an organisation stationed in the sub-district (驻区单位) that is
// not part of it: an agency, an enterprise, a school, a hospital, a
// property-management company, a law firm or a social organisation.
type Unit struct {
	Key            string // stable ascii key, e.g. "hnig", "water"
	Name           string // Chinese
	Kind           string // one of PROVINCIAL_AGENCY MUNICIPAL_AGENCY STATE_ENTERPRISE PRIVATE_ENTERPRISE INSTITUTION PROPERTY_MANAGEMENT SOCIAL_ORGANIZATION LAW_FIRM SCHOOL HOSPITAL OTHER
	Address        string // plausible street address in 侯家塘街道 area, 长沙市雨花区...
	CommunityIndex int    // index into Communities where it is located, or -1 for the sub-district level
}

// Member is one seat on a committee: a person in a role. A part-time member
// (兼职委员) represents a stationed unit.
type Member struct {
	Person  string // Chinese person name
	Role    string // SECRETARY DEPUTY_SECRETARY MEMBER PART_TIME_MEMBER
	UnitKey string // for part-time members: the unit represented; "" otherwise
	Title   string // the member's post, e.g. "湖南省核工业地质局党委副书记" for a part-time member
}

// Grid is one grid (网格) of a community with its grid head, two deputy grid
// heads and seven grid workers.
type Grid struct {
	Name     string   // e.g. "第一网格"
	Head     string   // person name
	Deputies []string // exactly 2 names
	Workers  []string // exactly 7 names
}

// Community is one community (社区) of the sub-district with its grids and
// its big party committee.
type Community struct {
	Code      string   // ascii, e.g. "c01".."c12"
	Name      string   // e.g. "XX社区"
	Grids     []Grid   // the community's grids
	Committee []Member // the community big party committee (大党委): secretary, a deputy, 2-3 full-time members, and its part-time members
}

// Units lists the stationed units of the demo data set: 11 provincial and
// municipal agencies whose heads sit on the working committee, and 46
// enterprises, institutions, schools, hospitals, property companies, law
// firms and social organisations whose heads sit on a community committee.
var Units = []Unit{
	// Provincial and municipal agencies (街道大工委).
	{"hnig", "湖南省核工业地质局", kindProvincial, "长沙市雨花区劳动西路二段126号", 0},
	{"water", "湖南省水利厅", kindProvincial, "长沙市雨花区韶山北路312号", 3},
	{"forestry", "湖南省林业局", kindProvincial, "长沙市雨花区韶山北路268号", -1},
	{"coalgeo", "湖南省煤田地质局", kindProvincial, "长沙市雨花区劳动中路95号", -1},
	{"nonferrous", "湖南省有色地质勘查局", kindProvincial, "长沙市雨花区芙蓉中路三段418号", 5},
	{"weather", "湖南省气象局", kindProvincial, "长沙市雨花区劳动中路东塘段66号", 1},
	{"hydrology", "湖南省水文水资源勘测中心", kindProvincial, "长沙市雨花区韶山北路336号", -1},
	{"cs-urban", "长沙市城市管理和综合执法局", kindMunicipal, "长沙市雨花区劳动中路168号", -1},
	{"cs-housing", "长沙市住房和城乡建设局", kindMunicipal, "长沙市雨花区芙蓉中路三段502号", -1},
	{"cs-water", "长沙市水务局", kindMunicipal, "长沙市雨花区侯家塘路58号", 0},
	{"cs-market", "长沙市市场监督管理局", kindMunicipal, "长沙市雨花区劳动中路东塘段122号", -1},

	// c01 侯家塘社区
	{"hjt-property", "湖南湘安物业服务有限公司", kindProperty, "长沙市雨花区侯家塘路32号", 0},
	{"hjt-school", "长沙市雨花区侯家塘小学", kindSchool, "长沙市雨花区侯家塘路76号", 0},
	{"hjt-bank", "中国建设银行长沙侯家塘支行", kindState, "长沙市雨花区芙蓉中路三段226号", 0},
	{"hjt-law", "湖南芙蓉正衡律师事务所", kindLaw, "长沙市雨花区芙蓉中路三段238号", 0},

	// c02 东塘社区
	{"dt-power", "国网长沙供电公司东塘供电所", kindState, "长沙市雨花区劳动中路东塘段18号", 1},
	{"dt-store", "长沙东塘百货商厦有限公司", kindPrivate, "长沙市雨花区韶山北路158号", 1},
	{"dt-property", "长沙东塘物业管理有限公司", kindProperty, "长沙市雨花区劳动中路东塘段40号", 1},
	{"dt-hospital", "长沙市雨花区东塘医院", kindHospital, "长沙市雨花区劳动中路东塘段88号", 1},

	// c03 红旗区社区
	{"hqq-property", "湖南红旗物业服务有限公司", kindProperty, "长沙市雨花区芙蓉中路三段红旗区12栋", 2},
	{"hqq-kinder", "长沙市雨花区红旗区幼儿园", kindSchool, "长沙市雨花区芙蓉中路三段红旗区28栋", 2},
	{"hqq-social", "长沙市雨花区红旗区邻里互助协会", kindSocial, "长沙市雨花区芙蓉中路三段红旗区36栋", 2},
	{"hqq-telecom", "中国电信长沙分公司红旗区营业厅", kindState, "长沙市雨花区劳动西路二段210号", 2},

	// c04 韶山路社区
	{"ssl-hospital", "长沙市雨花区韶山路医院", kindHospital, "长沙市雨花区韶山北路206号", 3},
	{"ssl-design", "湖南韶山路建筑设计研究院", kindInstitute, "长沙市雨花区韶山北路228号", 3},
	{"ssl-property", "长沙韶华物业服务有限公司", kindProperty, "长沙市雨花区韶山北路240号", 3},
	{"ssl-tech", "湖南湘江数码科技有限公司", kindPrivate, "长沙市雨花区韶山北路256号", 3},

	// c05 劳动路社区
	{"ldl-school", "长沙市雨花区劳动路中学", kindSchool, "长沙市雨花区劳动中路42号", 4},
	{"ldl-water", "长沙水业集团雨花供水服务部", kindState, "长沙市雨花区劳动中路60号", 4},
	{"ldl-law", "湖南弘正律师事务所", kindLaw, "长沙市雨花区劳动中路78号", 4},
	{"ldl-property", "长沙鑫城物业服务有限公司", kindProperty, "长沙市雨花区劳动中路102号", 4},

	// c06 芙蓉社区
	{"fr-hotel", "长沙芙蓉宾馆有限责任公司", kindPrivate, "长沙市雨花区芙蓉中路三段310号", 5},
	{"fr-property", "湖南芙蓉物业服务有限公司", kindProperty, "长沙市雨花区芙蓉中路三段326号", 5},
	{"fr-survey", "湖南省测绘科技研究所", kindInstitute, "长沙市雨花区芙蓉中路三段350号", 5},
	{"fr-volunteer", "长沙市雨花区芙蓉志愿者协会", kindSocial, "长沙市雨花区芙蓉中路三段366号", 5},

	// c07 天鹅塘社区
	{"tet-school", "长沙市雨花区天鹅塘小学", kindSchool, "长沙市雨花区天鹅塘路15号", 6},
	{"tet-gas", "长沙燃气集团天鹅塘服务站", kindState, "长沙市雨花区天鹅塘路27号", 6},
	{"tet-property", "长沙天鹅物业服务有限公司", kindProperty, "长沙市雨花区天鹅塘路39号", 6},
	{"tet-pharmacy", "湖南益康大药房连锁有限公司天鹅塘店", kindPrivate, "长沙市雨花区天鹅塘路51号", 6},

	// c08 长塘里社区
	{"ctl-health", "长沙市雨花区长塘里社区卫生服务中心", kindHospital, "长沙市雨花区长塘里路8号", 7},
	{"ctl-property", "长沙长塘物业服务有限公司", kindProperty, "长沙市雨花区长塘里路22号", 7},
	{"ctl-kinder", "长沙市雨花区长塘里幼儿园", kindSchool, "长沙市雨花区长塘里路34号", 7},
	{"ctl-law", "湖南湘维律师事务所", kindLaw, "长沙市雨花区长塘里路46号", 7},

	// c09 建湘社区
	{"jx-build", "湖南建湘建设集团有限公司", kindState, "长沙市雨花区建湘路20号", 8},
	{"jx-property", "长沙建湘物业服务有限公司", kindProperty, "长沙市雨花区建湘路32号", 8},
	{"jx-tech", "长沙智联网络科技有限公司", kindPrivate, "长沙市雨花区建湘路48号", 8},
	{"jx-culture", "长沙市雨花区建湘文化服务中心", kindInstitute, "长沙市雨花区建湘路60号", 8},

	// c10 曙光社区
	{"sg-school", "长沙市雨花区曙光中学", kindSchool, "长沙市雨花区曙光中路101号", 9},
	{"sg-dental", "长沙曙光口腔医院有限公司", kindHospital, "长沙市雨花区曙光中路117号", 9},
	{"sg-property", "湖南曙光物业服务有限公司", kindProperty, "长沙市雨花区曙光中路133号", 9},
	{"sg-social", "长沙市雨花区曙光社会工作服务中心", kindSocial, "长沙市雨花区曙光中路149号", 9},

	// c11 向阳社区
	{"xy-property", "长沙向阳物业服务有限公司", kindProperty, "长沙市雨花区向阳路16号", 10},
	{"xy-bank", "长沙银行侯家塘向阳支行", kindState, "长沙市雨花区向阳路30号", 10},
	{"xy-kinder", "长沙市雨花区向阳幼儿园", kindSchool, "长沙市雨花区向阳路44号", 10},

	// c12 晨光社区
	{"cg-property", "长沙晨光物业服务有限公司", kindProperty, "长沙市雨花区晨光路9号", 11},
	{"cg-post", "中国邮政集团有限公司长沙市晨光邮政所", kindState, "长沙市雨花区晨光路23号", 11},
	{"cg-law", "湖南晨光律师事务所", kindLaw, "长沙市雨花区晨光路37号", 11},
}

// WorkingCommittee is the sub-district big working committee (街道大工委):
// the secretary, two deputy secretaries, five full-time members and 11
// part-time members who head provincial and municipal units stationed in the
// sub-district.
var WorkingCommittee = workingCommittee()

// Communities lists the 12 communities of the sub-district with their 34
// grids and their big party committees.
var Communities = communities()

// surnames and givenNames feed personName. Their lengths are coprime, so
// personName(i) is distinct for every i below len(surnames)*len(givenNames).
var (
	surnames = []string{
		"李", "王", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴",
		"徐", "孙", "朱", "胡", "郭", "何", "高", "林", "罗", "郑",
		"梁", "谢", "宋", "唐", "许", "邓", "冯", "韩", "曹", "彭",
		"曾", "肖", "田", "董", "潘", "袁", "蒋", "蔡", "余", "杜",
		"叶", "程", "魏", "苏", "吕", "丁", "谭",
	} // 47
	givenNames = []string{
		"伟", "芳", "敏", "静", "丽", "强", "磊", "军", "洋", "勇",
		"艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "桂英",
		"建华", "志强", "秀兰", "海燕", "晓东", "春梅", "国庆", "丽娟", "文斌", "红霞",
		"建军", "小红", "永红", "立新", "湘平", "湘云", "德明", "玉兰", "振华", "慧敏",
		"卫东", "淑芬", "长青", "爱华", "少军", "雅琴", "家豪", "思远", "子涵", "雨欣",
		"浩然", "欣怡", "宇航", "佳琪", "俊杰", "梦瑶", "志伟", "婷婷", "鹏飞", "晓燕",
		"国栋", "美玲", "建平", "秋月",
	} // 64
)

// personName returns the i-th name of the fixed demo name sequence.
func personName(i int) string {
	return surnames[i%len(surnames)] + givenNames[i%len(givenNames)]
}

// namer hands out consecutive names of the demo name sequence.
type namer struct{ next int }

func (n *namer) take() string {
	s := personName(n.next)
	n.next++
	return s
}

func (n *namer) takeN(k int) []string {
	out := make([]string, k)
	for i := range out {
		out[i] = n.take()
	}
	return out
}

// Offsets into the name sequence, so that each builder is independent of
// package initialisation order. The working committee uses names
// [0, communityNamesStart); the communities use the rest.
const communityNamesStart = 100

func unitByKey(key string) Unit {
	for _, u := range Units {
		if u.Key == key {
			return u
		}
	}
	panic("demo: unknown unit key " + key)
}

func workingCommittee() []Member {
	n := &namer{next: 0}
	ms := []Member{
		{Person: n.take(), Role: roleSecretary, Title: "侯家塘街道党工委书记"},
		{Person: n.take(), Role: roleDeputy, Title: "侯家塘街道党工委副书记、办事处主任"},
		{Person: n.take(), Role: roleDeputy, Title: "侯家塘街道党工委副书记"},
		{Person: n.take(), Role: roleMember, Title: "侯家塘街道党工委委员、纪工委书记"},
		{Person: n.take(), Role: roleMember, Title: "侯家塘街道党工委委员、武装部部长"},
		{Person: n.take(), Role: roleMember, Title: "侯家塘街道党工委委员、组织委员"},
		{Person: n.take(), Role: roleMember, Title: "侯家塘街道党工委委员、办事处副主任"},
		{Person: n.take(), Role: roleMember, Title: "侯家塘街道党工委委员、宣传委员"},
	}
	partTime := []struct{ key, post string }{
		{"hnig", "党委副书记"},
		{"water", "机关党委书记"},
		{"forestry", "机关党委专职副书记"},
		{"coalgeo", "党委委员、副局长"},
		{"nonferrous", "党委副书记"},
		{"weather", "机关党委书记"},
		{"hydrology", "党委书记"},
		{"cs-urban", "机关党委副书记"},
		{"cs-housing", "党组成员、副局长"},
		{"cs-water", "机关党委书记"},
		{"cs-market", "党组成员、副局长"},
	}
	for _, p := range partTime {
		ms = append(ms, Member{
			Person:  n.take(),
			Role:    rolePartTime,
			UnitKey: p.key,
			Title:   unitByKey(p.key).Name + p.post,
		})
	}
	return ms
}

// communityNames are the 12 communities in order; their grid counts add up
// to 34.
var communityNames = []struct {
	name  string
	grids int
}{
	{"侯家塘社区", 3},
	{"东塘社区", 3},
	{"红旗区社区", 3},
	{"韶山路社区", 3},
	{"劳动路社区", 3},
	{"芙蓉社区", 3},
	{"天鹅塘社区", 3},
	{"长塘里社区", 3},
	{"建湘社区", 3},
	{"曙光社区", 3},
	{"向阳社区", 2},
	{"晨光社区", 2},
}

var gridOrdinals = []string{"第一网格", "第二网格", "第三网格", "第四网格", "第五网格"}

// partTimePost is the post a part-time community committee member holds in
// the unit, by the unit's kind.
var partTimePost = map[string]string{
	kindState:     "党支部书记、经理",
	kindPrivate:   "党支部书记、总经理",
	kindInstitute: "党支部书记、主任",
	kindProperty:  "党支部书记、项目经理",
	kindSocial:    "党支部书记、会长",
	kindLaw:       "党支部书记、主任律师",
	kindSchool:    "党支部书记、校长",
	kindHospital:  "党支部书记、院长",
	kindOther:     "负责人",
}

func communities() []Community {
	n := &namer{next: communityNamesStart}
	out := make([]Community, len(communityNames))
	for i, cn := range communityNames {
		c := Community{
			Code: "c" + twoDigits(i+1),
			Name: cn.name,
		}
		for g := 0; g < cn.grids; g++ {
			c.Grids = append(c.Grids, Grid{
				Name:     gridOrdinals[g],
				Head:     n.take(),
				Deputies: n.takeN(2),
				Workers:  n.takeN(7),
			})
		}
		c.Committee = []Member{
			{Person: n.take(), Role: roleSecretary, Title: cn.name + "党委书记、居委会主任"},
			{Person: n.take(), Role: roleDeputy, Title: cn.name + "党委副书记"},
		}
		fullTime := 2 + i%2 // 2 or 3 full-time members
		for k := 0; k < fullTime; k++ {
			c.Committee = append(c.Committee, Member{
				Person: n.take(), Role: roleMember, Title: cn.name + "党委委员",
			})
		}
		for _, u := range Units {
			if u.CommunityIndex != i || u.Kind == kindProvincial || u.Kind == kindMunicipal {
				continue
			}
			c.Committee = append(c.Committee, Member{
				Person:  n.take(),
				Role:    rolePartTime,
				UnitKey: u.Key,
				Title:   u.Name + partTimePost[u.Kind],
			})
		}
		out[i] = c
	}
	return out
}

func twoDigits(v int) string {
	return string(rune('0'+v/10)) + string(rune('0'+v%10))
}
