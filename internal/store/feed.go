package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"cogov/internal/problem"
)

// CreateFeed records a calendar feed token's hash.
func (s *Store) CreateFeed(ctx context.Context, subdistrictID, committeeID string, tokenHash []byte) (err error) {
	defer wrap(&err, "store.CreateFeed(%q, %q)", subdistrictID, committeeID)
	return s.write(ctx, "calendar-feed.create", "", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO calendar_feed (subdistrict_id, committee_id, token_hash, created_by)
			VALUES ($1, $2, $3, nullif(current_setting('cogov.actor_id', true), '')::uuid)`, subdistrictID, committeeID, tokenHash)
		return err
	})
}

// RevokeFeeds revokes the live feed tokens of a committee.
func (s *Store) RevokeFeeds(ctx context.Context, committeeID string) (_ int, err error) {
	defer wrap(&err, "store.RevokeFeeds(%q)", committeeID)
	var n int64
	err = s.write(ctx, "calendar-feed.revoke", "", func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE calendar_feed SET revoked_at = cogov_now() WHERE committee_id = $1 AND revoked_at IS NULL`, committeeID)
		n = tag.RowsAffected()
		return err
	})
	return int(n), err
}

// FeedCommittee finds the committee of a live feed token.
func (s *Store) FeedCommittee(ctx context.Context, tokenHash []byte) (_ string, _ string, err error) {
	defer wrap(&err, "store.FeedCommittee")
	var c, sd string
	err = s.read(ctx, func(tx querier) error {
		err := tx.QueryRow(ctx, `SELECT committee_id, subdistrict_id FROM calendar_feed WHERE token_hash = $1 AND revoked_at IS NULL`, tokenHash).Scan(&c, &sd)
		if errors.Is(err, pgx.ErrNoRows) {
			return problem.ErrNotFound
		}
		return err
	})
	return c, sd, err
}
