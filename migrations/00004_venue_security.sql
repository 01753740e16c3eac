-- +goose Up
-- Row-level security on the venue and booking tables, as on the structure
-- (00003). Venues, their hours, exceptions, closures and eligibility are the
-- public directory. Booking rows are readable by any viewer too, because
-- free/busy is public (anonymous visitors may see when a venue is taken);
-- who booked and why is filtered by the domain, which shows a booking's
-- details only to its committee, the venue's unit and the sub-district. The
-- idempotency records of requests are private to the sub-district. Writes to
-- all of them need a role in the sub-district.

-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['venue', 'venue_eligible_committee', 'venue_hours', 'venue_exception', 'venue_closure', 'booking'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY read_public ON %I FOR SELECT USING (cogov_viewer_ready())', t);
    EXECUTE format('CREATE POLICY write_own ON %I FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id))', t);
  END LOOP;
  ALTER TABLE booking_request ENABLE ROW LEVEL SECURITY;
  ALTER TABLE booking_request FORCE ROW LEVEL SECURITY;
  CREATE POLICY own ON booking_request FOR ALL USING (cogov_in_subdistrict(subdistrict_id)) WITH CHECK (cogov_in_subdistrict(subdistrict_id));
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['venue', 'venue_eligible_committee', 'venue_hours', 'venue_exception', 'venue_closure', 'booking'] LOOP
    EXECUTE format('DROP POLICY read_public ON %I', t);
    EXECUTE format('DROP POLICY write_own ON %I', t);
    EXECUTE format('ALTER TABLE %I NO FORCE ROW LEVEL SECURITY', t);
    EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
  END LOOP;
  DROP POLICY own ON booking_request;
  ALTER TABLE booking_request NO FORCE ROW LEVEL SECURITY;
  ALTER TABLE booking_request DISABLE ROW LEVEL SECURITY;
END
$$;
-- +goose StatementEnd
