package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"cogov/internal/pgtest"
)

// Sharding by sub-district (docs/scaling.md, Citus): a distributed table
// needs subdistrict_id in its primary key and in every unique and exclusion
// constraint, and in both sides of every foreign key to another
// distributed table. Reference tables (copied to every node) may not point
// at a distributed one. Local tables stay on the coordinator.
var (
	citusReference = []string{"subdistrict", "account", "session"}
	citusLocal     = []string{"goose_db_version", "rate_bucket"} // and river_*
)

// citusPending are the constraints that break those rules today, as
// "table constraint": the migration that makes each primary key
// (subdistrict_id, id) and puts subdistrict_id in front of the rest has not
// been written (docs/scaling.md, "Distance to Citus today"). The list only
// shrinks: TestCitusShape fails on a constraint missing from it, and on one
// that no longer breaks a rule.
var citusPending = []string{
	"account account_person_id_fkey", "account_role account_role_once", "account_role account_role_pkey",
	"agenda_item agenda_item_meeting_id_position_key", "agenda_item agenda_item_pkey", "attendance attendance_pkey",
	"audit_log audit_log_pkey", "booking booking_affected_by_fkey", "booking booking_no_overlap", "booking booking_pkey",
	"booking_request booking_request_pkey", "calendar_feed calendar_feed_pkey", "calendar_feed calendar_feed_token_hash_key",
	"case_callback case_callback_pkey", "case_category case_category_pkey", "case_event case_event_pkey",
	"case_personal case_personal_pkey", "case_time_limit case_time_limit_pkey", "committee committee_pkey",
	"community community_pkey", "delivery_channel delivery_channel_pkey", "grid grid_community_id_name_key", "grid grid_pkey",
	"grid_case grid_case_pkey", "grid_staff grid_staff_pkey", "intake_key intake_key_pkey",
	"intake_key_secret intake_key_secret_key_hash_key", "intake_key_secret intake_key_secret_pkey",
	"invitation invitation_meeting_id_membership_id_key", "invitation invitation_pkey", "joint_meeting joint_meeting_booking_id_key",
	"joint_meeting joint_meeting_pkey", "joint_meeting_convener joint_meeting_convener_pkey", "mediation mediation_pkey",
	"mediation_mediator mediation_mediator_mediation_id_position_key", "mediation_mediator mediation_mediator_pkey",
	"mediation_party mediation_party_mediation_id_position_key", "mediation_party mediation_party_pkey",
	"mediation_session mediation_session_pkey", "membership membership_no_overlap", "membership membership_pkey",
	"need need_pkey", "need_escalation need_escalation_pkey", "notification notification_pkey", "offer offer_own_venue",
	"offer offer_pkey", "person person_pkey", "project project_pkey", "project_need project_need_pkey",
	"project_offer project_offer_pkey", "project_overdue_notice project_overdue_notice_pkey", "project_update project_update_pkey",
	"resolution resolution_meeting_id_position_key", "resolution resolution_pkey", "unit unit_pkey", "venue venue_pkey",
	"venue venue_unit_id_id_key", "venue venue_unit_id_name_key", "venue_busy venue_busy_booking_id_fkey", "venue_busy venue_busy_pkey",
	"venue_closure venue_closure_pkey", "venue_eligible_committee venue_eligible_committee_pkey", "venue_hours venue_hours_no_overlap",
	"waitlist_entry waitlist_entry_pkey",
}

// citusBreaks lists, from the catalogue, the constraints of the public
// schema that break the rules above, as "table constraint", sorted.
const citusBreaks = `
WITH cons AS (
  SELECT t.relname AS tbl, c.conname, c.contype, r.relname AS ref,
    EXISTS (SELECT 1 FROM unnest(c.conkey) k JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k
      WHERE a.attname = 'subdistrict_id') AS carries,
    EXISTS (SELECT 1 FROM unnest(c.confkey) k JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k
      WHERE a.attname = 'subdistrict_id') AS ref_carries
  FROM pg_constraint c
  JOIN pg_class t ON t.oid = c.conrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  LEFT JOIN pg_class r ON r.oid = c.confrelid
  WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'x', 'f')
    AND t.relname <> ALL ($2::text[]) AND t.relname NOT LIKE 'river\_%'
)
SELECT tbl || ' ' || conname FROM cons
WHERE CASE
  WHEN tbl = ANY ($1::text[]) THEN contype = 'f' AND ref <> ALL ($1::text[])
  WHEN contype = 'f' THEN ref <> ALL ($1::text[]) AND NOT (carries AND ref_carries)
  ELSE NOT carries
END
ORDER BY 1`

// TestCitusShape checks the schema against the rules of sharding by
// sub-district: no constraint breaks them but those citusPending lists, and
// each of those still does (a mended one must leave the list).
func TestCitusShape(t *testing.T) {
	db := pgtest.New(t, pgtest.Options{})
	rows, err := db.Pool.Query(context.Background(), citusBreaks, citusReference, citusLocal)
	if err != nil {
		t.Fatal(err)
	}
	breaks, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if len(breaks) == 0 {
		t.Fatal("the catalogue query found no constraint at all to judge")
	}
	for _, b := range breaks {
		if !slices.Contains(citusPending, b) {
			t.Errorf("%s: a new constraint without subdistrict_id (a distributed table's key, unique or exclusion constraint, or foreign key to another distributed table, must carry it)", b)
		}
	}
	for _, p := range citusPending {
		if !slices.Contains(breaks, p) {
			t.Errorf("%s: no longer breaks a rule (or is gone): take it off citusPending", p)
		}
	}
	if t.Failed() {
		t.Logf("the catalogue's list now:\n%s", strings.Join(breaks, "\n"))
	}
}
