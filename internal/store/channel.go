package store

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"cogov/internal/notify"
	"cogov/internal/problem"
)

const channelCols = `c.id, c.subdistrict_id, c.unit_id, c.committee_id, c.kind, c.target, c.secret, c.demo, c.created_at`

func channelFields(c *notify.Channel) []any {
	return []any{&c.ID, &c.SubdistrictID, &c.UnitID, &c.CommitteeID, &c.Kind, &c.Target, &c.Secret, &c.Demo, &c.CreatedAt}
}

// CreateChannel registers a delivery channel.
func (s *Store) CreateChannel(ctx context.Context, c notify.Channel) (_ notify.Channel, err error) {
	defer wrap(&err, "store.CreateChannel")
	var out notify.Channel
	err = s.write(ctx, "channel.add", "", func(tx pgx.Tx) error {
		var err error
		out, err = one(ctx, tx, problem.ErrNotFound, channelFields, `INSERT INTO delivery_channel AS c (subdistrict_id, unit_id, committee_id,
			kind, target, secret, demo) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING `+channelCols,
			c.SubdistrictID, c.UnitID, c.CommitteeID, c.Kind, c.Target, c.Secret, c.Demo)
		return err
	})
	return out, err
}

// Channel fetches one delivery channel.
func (s *Store) Channel(ctx context.Context, id string) (_ notify.Channel, err error) {
	defer wrap(&err, "store.Channel(%q)", id)
	m, err := readMap(ctx, s, `SELECT `+channelCols+` FROM delivery_channel c WHERE c.id = ANY($1::text[]::uuid[])`, channelFields,
		func(c notify.Channel) string { return c.ID }, okIDs([]string{id}))
	return pick(m, err, id, problem.ErrNotFound)
}

// DeleteChannel removes a delivery channel.
func (s *Store) DeleteChannel(ctx context.Context, id string) (err error) {
	defer wrap(&err, "store.DeleteChannel(%q)", id)
	return s.write(ctx, "channel.remove", "", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM delivery_channel WHERE id = $1`, id)
		return err
	})
}

// ChannelsFor returns the channels of the units, the committees and the
// party committees of the communities.
func (s *Store) ChannelsFor(ctx context.Context, units, committees, communities []string) (_ []notify.Channel, err error) {
	defer wrap(&err, "store.ChannelsFor")
	var out []notify.Channel
	err = s.read(ctx, func(q querier) error {
		var err error
		out, err = collect(ctx, q, channelFields, `SELECT `+channelCols+` FROM delivery_channel c
			WHERE c.unit_id = ANY($1::text[]::uuid[]) OR c.committee_id = ANY($2::text[]::uuid[])
			   OR c.committee_id IN (SELECT id FROM committee WHERE community_id = ANY($3::text[]::uuid[]) AND kind = 'COMMUNITY_PARTY_COMMITTEE')
			ORDER BY c.created_at, c.id`, okIDs(units), okIDs(committees), okIDs(communities))
		return err
	})
	return out, err
}

// InsertJobs inserts River jobs through client in the transaction ctx
// carries (or one of its own), so that they commit with the change.
func (s *Store) InsertJobs(ctx context.Context, client *river.Client[pgx.Tx], params []river.InsertManyParams) (err error) {
	defer wrap(&err, "store.InsertJobs(%d jobs)", len(params))
	if len(params) == 0 {
		return nil
	}
	return s.write(ctx, "jobs.insert", "", func(tx pgx.Tx) error {
		_, err := client.InsertManyTx(ctx, tx, params)
		return err
	})
}

// DropTimerJobs deletes the River jobs of kind (notify.Timer jobs) about
// the records objectIDs that have not started (scheduled, available or
// waiting for a retry), in the transaction ctx carries (or one of its own).
func (s *Store) DropTimerJobs(ctx context.Context, kind string, objectIDs []string) (err error) {
	defer wrap(&err, "store.DropTimerJobs(%d objectIDs)", len(objectIDs))
	return s.write(ctx, "jobs.drop", "", func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM river_job WHERE kind = $1 AND state IN ('scheduled', 'available', 'retryable')
			AND args->'timer'->>'ObjectID' = ANY($2::text[])`, kind, objectIDs)
		return err
	})
}

// failureFrom reads the delivery jobs River discarded after their last
// attempt; a job's bigint id becomes a uuid for the list's cursor.
const failureFrom = `river_job j`

func failureFields(f *notify.Failure) []any {
	return []any{&f.JobID, &f.ChannelID, &f.ChannelKind, &f.Kind, &f.ObjectType, &f.ObjectID, &f.Attempts, &f.LastError, &f.FailedAt}
}

// FailedDeliveries lists a sub-district's deliveries that failed for good,
// the latest first.
func (s *Store) FailedDeliveries(ctx context.Context, subdistrictID string, p Page) (_ *Conn[notify.Failure], err error) {
	defer wrap(&err, "store.FailedDeliveries(%q)", subdistrictID)
	m, err := runList(ctx, s, listSpec[notify.Failure]{
		cols: `j.id, j.args->>'channel_id', j.args->>'channel_kind', j.args->>'kind', j.args->>'object_type', j.args->>'object_id',
			j.attempt, coalesce(j.errors[array_length(j.errors, 1)]->>'error', ''), coalesce(j.finalized_at, j.created_at)`,
		from: failureFrom, parent: `(j.args->>'subdistrict_id')::uuid`,
		sort: `lpad((9000000000000000 - (extract(epoch FROM coalesce(j.finalized_at, j.created_at)) * 1000000)::bigint)::text, 16, '0')`,
		id:   `lpad(to_hex(j.id), 32, '0')::uuid`, where: `j.kind = 'cogov_deliver' AND j.state = 'discarded'`, fields: failureFields,
	}, okIDs([]string{subdistrictID}), p)
	if err != nil {
		return nil, err
	}
	c := m[subdistrictID]
	if c == nil {
		c = &Conn[notify.Failure]{HasPrev: p.After != ""}
	}
	return c, nil
}

func channelChangeFields(c *notify.ChannelChange) []any {
	return []any{&c.AuditID, &c.At, &c.Action, &c.ActorID, &c.ChannelID, &c.UnitID, &c.CommitteeID, &c.Kind, &c.Target, &c.SecretFingerprint}
}

// ChannelChanges lists the audit log's changes of a sub-district's
// delivery channels (audit_channel_row writes them, the secret as a
// fingerprint), the latest first.
func (s *Store) ChannelChanges(ctx context.Context, subdistrictID string, p Page) (_ *Conn[notify.ChannelChange], err error) {
	defer wrap(&err, "store.ChannelChanges(%q)", subdistrictID)
	m, err := runList(ctx, s, listSpec[notify.ChannelChange]{
		cols: `a.id, a.at, a.action, a.actor_id, a.entity_id, (r.r->>'unit_id')::uuid, (r.r->>'committee_id')::uuid, r.r->>'kind',
			r.r->>'target', r.r->>'secret'`,
		from: `audit_log a CROSS JOIN LATERAL (SELECT coalesce(a.after, a.before) AS r) r`, parent: `a.subdistrict_id`,
		sort: `lpad((9000000000000000000 - a.id)::text, 19, '0')`,
		id:   `lpad(to_hex(a.id), 32, '0')::uuid`, where: `a.entity_type = 'delivery_channel'`, fields: channelChangeFields,
	}, okIDs([]string{subdistrictID}), p)
	if err != nil {
		return nil, err
	}
	c := m[subdistrictID]
	if c == nil {
		c = &Conn[notify.ChannelChange]{HasPrev: p.After != ""}
	}
	return c, nil
}
