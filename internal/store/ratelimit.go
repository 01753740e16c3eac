package store

import (
	"context"
	"strings"
	"time"

	"cogov/internal/ratelimit"
)

// The token buckets of internal/ratelimit live in rate_bucket (migration
// 00011), which every replica shares. A bucket's row holds its tokens as of
// `at`; the refill since then is computed when it is next touched, and a row
// whose bucket is full again (full_at has passed) is the same as no row.

// takeSQL takes $5 tokens, as of $6, from each bucket that has them. The
// first take of a bucket inserts it full less the cost; later ones refill it
// for the time since `at` and take the cost if it is there — in the row's
// ON CONFLICT update, which runs under the row's lock on the latest committed
// version of the row, so that concurrent takes queue and each sees what the
// one before it left. Rows are taken in (kind, key) order, the same in every
// statement, so two requests that need the same buckets cannot deadlock.
// The update computes the refilled tokens once, in a sub-select that sets
// every column from them.
var takeSQL = strings.Replace(takeTemplate, "/*owed*/", "", 1)

// takeOwedSQL is takeSQL for buckets some of which are owed tokens ($7,
// Bucket.Owed): they are added to the row's tokens before the refill, as a
// ReturnTokens just before would. Looking them up costs the statement about
// 15 µs (47 → 62 µs), so a take of buckets owed nothing uses takeSQL.
var takeOwedSQL = strings.Replace(takeTemplate, "/*owed*/", ` + coalesce((SELECT o.owed
	FROM unnest($1::text[], $2::text[], $7::float8[]) AS o(kind, key, owed) WHERE o.kind = b.kind AND o.key = b.key), 0)`, 1)

const takeTemplate = `
INSERT INTO rate_bucket AS b (kind, key, burst, per_second, tokens, at, full_at, granted)
SELECT k.kind, k.key, k.burst, k.per_second,
       CASE WHEN $5::float8 <= k.burst THEN k.burst - $5 ELSE k.burst END, $6::timestamptz,
       $6::timestamptz + make_interval(secs => CASE WHEN $5 <= k.burst THEN $5 ELSE 0 END / k.per_second), $5 <= k.burst
FROM unnest($1::text[], $2::text[], $3::float8[], $4::float8[]) AS k(kind, key, burst, per_second)
ORDER BY k.kind, k.key
ON CONFLICT (kind, key) DO UPDATE SET (burst, per_second, granted, tokens, at, full_at) = (
  SELECT EXCLUDED.burst, EXCLUDED.per_second, r.have >= $5::float8, r.have - r.took, greatest(b.at, EXCLUDED.at),
         greatest(b.at, EXCLUDED.at) + make_interval(secs => (EXCLUDED.burst - r.have + r.took) / EXCLUDED.per_second)
  FROM (SELECT h.have, CASE WHEN h.have >= $5 THEN $5 ELSE 0 END AS took
        FROM (SELECT rate_refill(b.tokens/*owed*/, b.at, EXCLUDED.at, EXCLUDED.burst, EXCLUDED.per_second) AS have) h) r)
RETURNING b.kind, b.key, b.granted, b.tokens`

// TakeTokens takes cost tokens from each bucket that has them.
func (s *Store) TakeTokens(ctx context.Context, buckets []ratelimit.Bucket, cost float64, now time.Time) (_ []ratelimit.Taken, err error) {
	defer wrap(&err, "store.TakeTokens(%d buckets)", len(buckets))
	kinds, keys, bursts, rates, owed := bucketArgs(buckets)
	sql, args := takeSQL, []any{kinds, keys, bursts, rates, cost, now}
	for _, o := range owed {
		if o > 0 {
			sql, args = takeOwedSQL, append(args, owed)
			break
		}
	}
	rows, err := s.pool.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ratelimit.Taken
	for rows.Next() {
		var t ratelimit.Taken
		if err := rows.Scan(&t.Kind, &t.Key, &t.Granted, &t.Tokens); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// ReturnTokens gives cost tokens, and what each is owed, back to each
// bucket, up to its burst. The rows are locked in the order takeSQL takes
// them.
func (s *Store) ReturnTokens(ctx context.Context, buckets []ratelimit.Bucket, cost float64) (err error) {
	defer wrap(&err, "store.ReturnTokens(%d buckets)", len(buckets))
	kinds, keys, _, _, owed := bucketArgs(buckets)
	_, err = s.pool.Exec(ctx, `
		WITH locked AS (
			SELECT b.kind, b.key, $3::float8 + k.owed AS back
			FROM rate_bucket b JOIN unnest($1::text[], $2::text[], $4::float8[]) AS k(kind, key, owed) USING (kind, key)
			ORDER BY b.kind, b.key FOR UPDATE OF b
		)
		UPDATE rate_bucket b SET tokens = least(b.burst, b.tokens + l.back),
			full_at = b.at + make_interval(secs => (b.burst - least(b.burst, b.tokens + l.back)) / b.per_second)
		FROM locked l WHERE (b.kind, b.key) = (l.kind, l.key)`, kinds, keys, cost, owed)
	return err
}

// SweepBuckets deletes buckets that are full by now. It skips rows another
// request holds, so that it never waits for one nor deadlocks with one, and
// deletes at most 10,000 at a time.
func (s *Store) SweepBuckets(ctx context.Context, now time.Time) (_ int, err error) {
	defer wrap(&err, "store.SweepBuckets")
	tag, err := s.pool.Exec(ctx, `DELETE FROM rate_bucket WHERE (kind, key) IN (
		SELECT kind, key FROM rate_bucket WHERE full_at <= $1 LIMIT 10000 FOR UPDATE SKIP LOCKED)`, now)
	return int(tag.RowsAffected()), err
}

func bucketArgs(buckets []ratelimit.Bucket) (kinds, keys []string, bursts, rates, owed []float64) {
	for _, b := range buckets {
		kinds = append(kinds, b.Kind)
		keys = append(keys, b.Key)
		bursts = append(bursts, b.Burst)
		rates = append(rates, b.PerSecond)
		owed = append(owed, max(0, b.Owed))
	}
	return kinds, keys, bursts, rates, owed
}
