// Package i18n picks the language of an answer and holds the message
// catalogue: Chinese (zh-CN, the default) and English. Codes never change
// with the language; messages and the labels of enum values do.
//
// The catalogue (messages/*.json) is read with go-i18n, and the language is
// matched from Accept-Language with golang.org/x/text/language. English
// messages of user errors are the domain's own, which carry details (a
// venue's capacity, a quota); the Chinese ones come from the catalogue, one
// per code.
package i18n

import (
	"context"
	"embed"
	"encoding/json"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed messages/*.json
var files embed.FS

var (
	// Chinese is the default language of answers.
	Chinese = language.MustParse("zh-CN")
	// English is the other language answers come in.
	English = language.English

	supported = []language.Tag{Chinese, English}
	matcher   = language.NewMatcher(supported)
	bundle    = newBundle()
)

func newBundle() *goi18n.Bundle {
	b := goi18n.NewBundle(Chinese)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	for _, name := range []string{"messages/zh-CN.json", "messages/en.json"} {
		if _, err := b.LoadMessageFileFS(files, name); err != nil {
			panic(err) // embedded at build time: a broken file is a build error
		}
	}
	return b
}

// Match returns the supported language an Accept-Language header asks for:
// Chinese when it is absent, malformed or names neither.
func Match(acceptLanguage string) language.Tag {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Chinese
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Chinese
	}
	return supported[i]
}

type langKey struct{}

// With returns ctx answering in lang.
func With(ctx context.Context, lang language.Tag) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// From returns the language of ctx's answer; Chinese when none was chosen.
func From(ctx context.Context) language.Tag {
	if l, ok := ctx.Value(langKey{}).(language.Tag); ok {
		return l
	}
	return Chinese
}

// Lookup returns the catalogue's text for id in lang, and whether it has one.
func Lookup(lang language.Tag, id string) (string, bool) {
	s, tag, err := goi18n.NewLocalizer(bundle, lang.String()).LocalizeWithTag(&goi18n.LocalizeConfig{MessageID: id})
	if err != nil || s == "" || tag != lang {
		return "", false
	}
	return s, true
}

// Message is a message for code in ctx's language: in English the given
// message (the domain's, with its details), in Chinese the catalogue's text
// for the code (prefix "code." for user errors, "error." for top-level
// errors), or the given message when the catalogue has none.
func Message(ctx context.Context, id, english string) string {
	if From(ctx) == English {
		return english
	}
	if s, ok := Lookup(Chinese, id); ok {
		return s
	}
	return english
}

// Label is the label of an enum value in lang: the catalogue's text for
// "enum.<Enum>.<VALUE>", or the value itself when there is none.
func Label(lang language.Tag, enum, value string) string {
	if s, ok := Lookup(lang, "enum."+enum+"."+value); ok {
		return s
	}
	return value
}
