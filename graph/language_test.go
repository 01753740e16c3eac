package graph_test

import (
	"testing"
)

// TestChineseFirst: without Accept-Language answers are in Chinese, with
// `Accept-Language: en` in English; codes never change. It covers a
// userError, a top-level error and the enum labels.
func TestChineseFirst(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	sys := e.system()
	blank := `mutation { createSubdistrict(input: {code: "x1", name: " ", timeZone: "Asia/Shanghai"}) { userErrors { code message } } }`
	for _, c := range []struct{ lang, message string }{
		{"", "此项不能为空"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "此项不能为空"},
		{"en-US,en;q=0.9", "name must not be blank"},
		{"fr-FR", "此项不能为空"}, // neither: the default
	} {
		var out struct {
			CreateSubdistrict struct {
				UserErrors []struct{ Code, Message string } `json:"userErrors"`
			} `json:"createSubdistrict"`
		}
		sys.inLanguage(c.lang).do(blank, nil, &out)
		ue := out.CreateSubdistrict.UserErrors
		if len(ue) != 1 || ue[0].Code != "BLANK" || ue[0].Message != c.message {
			t.Errorf("Accept-Language %q: userErrors %+v, want BLANK %q", c.lang, ue, c.message)
		}
	}

	zh := e.post(`{ subdistrict(code: 1) { id } }`, nil)
	en := e.inLanguage("en").post(`{ subdistrict(code: 1) { id } }`, nil)
	if len(zh.Errors) != 1 || len(en.Errors) != 1 || zh.Errors[0].Extensions["code"] != en.Errors[0].Extensions["code"] ||
		zh.Errors[0].Message != "请求不符合接口定义" || en.Errors[0].Message == zh.Errors[0].Message ||
		zh.Errors[0].Extensions["detail"] != en.Errors[0].Message {
		t.Errorf("a validation error: in Chinese %+v, in English %+v", zh.Errors, en.Errors)
	}

	// Every value of every enum has a label in both languages.
	var enums struct {
		Schema struct {
			Types []struct {
				Kind, Name string
				EnumValues []struct{ Name string } `json:"enumValues"`
			} `json:"types"`
		} `json:"__schema"`
	}
	e.do(`{ __schema { types { kind name enumValues { name } } } }`, nil, &enums)
	checked := 0
	for _, ty := range enums.Schema.Types {
		if ty.Kind != "ENUM" || len(ty.Name) > 1 && ty.Name[:2] == "__" {
			continue
		}
		for _, lang := range []string{"zh-CN", "en"} {
			var out struct {
				EnumLabels []struct{ Value, Label string } `json:"enumLabels"`
			}
			e.inLanguage(lang).do(`query($e: String!) { enumLabels(enum: $e) { value label } }`, map[string]any{"e": ty.Name}, &out)
			if len(out.EnumLabels) != len(ty.EnumValues) {
				t.Errorf("%s in %s: %d labels for %d values", ty.Name, lang, len(out.EnumLabels), len(ty.EnumValues))
				continue
			}
			for i, l := range out.EnumLabels {
				if l.Value != ty.EnumValues[i].Name || l.Label == "" || l.Label == l.Value {
					t.Errorf("%s.%s in %s: label %q", ty.Name, ty.EnumValues[i].Name, lang, l.Label)
				}
				checked++
			}
		}
	}
	var pending struct {
		EnumLabels []struct{ Value, Label string } `json:"enumLabels"`
	}
	e.do(`{ enumLabels(enum: "BookingStatus") { value label } }`, nil, &pending)
	if len(pending.EnumLabels) == 0 || pending.EnumLabels[0].Value != "PENDING" || pending.EnumLabels[0].Label != "待审批" {
		t.Errorf("BookingStatus labels: %+v", pending.EnumLabels)
	}
	t.Logf("%d enum labels checked", checked)
}
