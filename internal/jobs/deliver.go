package jobs

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"cogov/internal/access"
	"cogov/internal/clock"
	"cogov/internal/i18n"
	"cogov/internal/notify"
	"cogov/internal/problem"
	"cogov/internal/store"
)

// DeliverArgs is one notification to deliver to one channel.
type DeliverArgs struct {
	SubdistrictID string             `json:"subdistrict_id"`
	ChannelID     string             `json:"channel_id"`
	ChannelKind   notify.ChannelKind `json:"channel_kind"`
	NoteKind      notify.Kind        `json:"kind"`
	ObjectType    string             `json:"object_type"`
	ObjectID      string             `json:"object_id"`
	Text          string             `json:"text"`
}

// Kind is the River job kind.
func (DeliverArgs) Kind() string { return "cogov_deliver" }

// Webhook headers: the signature is "sha256=" and the hex HMAC-SHA256, with
// the channel's secret, of the timestamp, a dot and the body, as Stripe and
// GitHub sign theirs; a receiver recomputes it and refuses old timestamps.
const (
	SignatureHeader = "X-Cogov-Signature"
	TimestampHeader = "X-Cogov-Timestamp"
)

// Sign returns the signature header's value for body sent at ts with secret.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// WebhookBody is the generic JSON a webhook channel receives.
type WebhookBody struct {
	Kind          notify.Kind `json:"kind"`
	Message       string      `json:"message"`
	Detail        string      `json:"detail"`
	ObjectType    string      `json:"objectType"`
	ObjectID      string      `json:"objectId"`
	SubdistrictID string      `json:"subdistrictId"`
	At            time.Time   `json:"at"`
}

// SMSSender sends text messages; a real provider implements it.
type SMSSender interface {
	Send(ctx context.Context, mobile, text string) error
}

// LogSMS is the default sender: it only logs the message.
type LogSMS struct{ Log *slog.Logger }

// Send logs the message.
func (l LogSMS) Send(ctx context.Context, mobile, text string) error {
	l.Log.InfoContext(ctx, "sms (not sent: no provider configured)", "to", mobile, "text", text)
	return nil
}

// DeliverWorker delivers a notification to a channel. It reads the channel
// when it runs: a channel removed meanwhile gets nothing.
type DeliverWorker struct {
	river.WorkerDefaults[DeliverArgs]
	store *store.Store
	http  *http.Client
	sms   SMSSender
	now   clock.Clock
}

// Work delivers; an error makes River retry the job with backoff.
func (w *DeliverWorker) Work(ctx context.Context, job *river.Job[DeliverArgs]) error {
	a := job.Args
	ctx = access.With(ctx, access.System("jobs"))
	ch, err := w.store.Channel(ctx, a.ChannelID)
	if errors.Is(err, problem.ErrNotFound) {
		return nil // removed: nothing to deliver
	}
	if err != nil {
		return err
	}
	message := i18n.Label(i18n.Chinese, "NotificationKind", string(a.NoteKind))
	if a.Text != "" {
		message += "：" + a.Text
	}
	switch ch.Kind {
	case notify.SMS:
		return w.sms.Send(ctx, ch.Target, "【共建共治】"+message)
	case notify.WeCom:
		body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]any{"content": message}})
		resp, err := w.post(ctx, ch.Target, body, nil)
		if err != nil {
			return err
		}
		var r struct {
			ErrCode int    `json:"errcode"`
			ErrMsg  string `json:"errmsg"`
		}
		if err := json.Unmarshal(resp, &r); err != nil || r.ErrCode != 0 {
			return fmt.Errorf("wecom robot answered errcode %d %q", r.ErrCode, r.ErrMsg)
		}
		return nil
	default:
		at := w.now()
		body, _ := json.Marshal(WebhookBody{Kind: a.NoteKind, Message: message, Detail: a.Text, ObjectType: a.ObjectType, ObjectID: a.ObjectID,
			SubdistrictID: a.SubdistrictID, At: at.UTC()})
		ts := at.Unix()
		_, err := w.post(ctx, ch.Target, body, map[string]string{TimestampHeader: strconv.FormatInt(ts, 10), SignatureHeader: Sign(ch.Secret, ts, body)})
		return err
	}
}

// post sends body as JSON and returns the answer; a status outside 2xx is an error.
func (w *DeliverWorker) post(ctx context.Context, url string, body []byte, headers map[string]string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "cogov-delivery/1")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := w.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("%s answered %d", url, resp.StatusCode)
	}
	return b, nil
}
