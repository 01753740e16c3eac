// Package gid encodes the opaque global ids clients see: base64url (no
// padding) of "Type:uuid", the type naming the GraphQL object so that
// node(id:) can find the record. It lives below the domain packages so that
// their types can answer their own id as a plain method: gqlgen resolves a
// method without a context in line, where a resolver costs a goroutine per
// object.
package gid

import (
	"encoding/base64"
	"strings"
	"unsafe"
)

// Encode returns the global id of the record id of GraphQL type typ, in one
// allocation.
func Encode(typ, id string) string {
	var buf [128]byte
	src := append(append(append(buf[:0], typ...), ':'), id...)
	out := make([]byte, base64.RawURLEncoding.EncodedLen(len(src)))
	base64.RawURLEncoding.Encode(out, src)
	// out is never written again: view it as the string without a copy.
	return unsafe.String(unsafe.SliceData(out), len(out))
}

// Decode splits a global id into its type and record id; ok is false when
// gid is not base64url of "Type:id".
func Decode(gid string) (typ, id string, ok bool) {
	b, err := base64.RawURLEncoding.DecodeString(gid)
	if err != nil {
		return "", "", false
	}
	typ, id, found := strings.Cut(string(b), ":")
	return typ, id, found
}
