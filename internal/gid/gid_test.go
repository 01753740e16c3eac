package gid

import (
	"encoding/base64"
	"testing"
)

func TestEncodeDecode(t *testing.T) {
	const typ, id = "Community", "0b4f1c0e-8a55-4f0e-9d7a-1f1f3c4d5e6f"
	g := Encode(typ, id)
	if want := base64.RawURLEncoding.EncodeToString([]byte(typ + ":" + id)); g != want {
		t.Fatalf("Encode = %q, want %q", g, want)
	}
	gt, gi, ok := Decode(g)
	if !ok || gt != typ || gi != id {
		t.Fatalf("Decode(%q) = %q, %q, %v", g, gt, gi, ok)
	}
	if _, _, ok := Decode("not base64!"); ok {
		t.Fatal("Decode accepted a non-id")
	}
	if n := testing.AllocsPerRun(100, func() { _ = Encode(typ, id) }); n > 1 {
		t.Errorf("Encode allocates %v times, want 1", n)
	}
}
