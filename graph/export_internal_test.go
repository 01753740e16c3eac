package graph

import "testing"

func TestSafeCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                                "",
		"老年人活动场地不足":                       "老年人活动场地不足",
		"=HYPERLINK(\"http://x\",\"点击\")": "'=HYPERLINK(\"http://x\",\"点击\")",
		"+1+2":                            "'+1+2",
		"@SUM(A1)":                        "'@SUM(A1)",
		"-2+3":                            "'-2+3",
		"-2.5":                            "-2.5",
		"42":                              "42",
		"\tcmd":                           "'\tcmd",
	} {
		if got := safeCell(in); got != want {
			t.Errorf("safeCell(%q) = %q, want %q", in, got, want)
		}
	}
}
