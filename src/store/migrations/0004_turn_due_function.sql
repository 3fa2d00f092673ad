-- The turn-due rule (DESIGN.md invariant 4) in one place: docs/decisions/0008-turn-due-single-source.md.
-- A turn may run once the conversation has been quiet for debounce_ms, but never later than
-- debounce_max_ms after the first message still unanswered. The inbox commit
-- (src/store/inbox-group.ts) and atende_complete_turn both call this function; nothing else
-- computes the rule. STABLE, not IMMUTABLE: timestamptz + interval is STABLE in PostgreSQL.
CREATE FUNCTION atende_turn_due_at(
	p_last_inbound_at timestamptz,
	p_first_unanswered_at timestamptz,
	p_debounce_ms integer,
	p_debounce_max_ms integer
) RETURNS timestamptz
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT least(
		p_last_inbound_at + make_interval(secs => p_debounce_ms / 1000.0),
		p_first_unanswered_at + make_interval(secs => p_debounce_max_ms / 1000.0))
$$;
--> statement-breakpoint
-- atende_complete_turn of migration 0001, unchanged but for the due time, which now comes
-- from atende_turn_due_at.
CREATE OR REPLACE FUNCTION atende_complete_turn(
	p_conversation_id bigint,
	p_token bigint,
	p_answered_seq integer,
	p_department text,
	p_status text,
	p_now timestamptz,
	p_debounce_ms integer,
	p_debounce_max_ms integer,
	p_sent_part_id bigint,
	p_sent_wamid text
) RETURNS TABLE (completed boolean, turn_due_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	first_later timestamptz;
BEGIN
	IF p_sent_part_id IS NOT NULL THEN
		-- A status webhook may have raced ahead and set a later status; keep it.
		UPDATE messages SET wamid = p_sent_wamid, sent_at = p_now, updated_at = p_now,
			provider_status = CASE WHEN provider_status IN ('sending', 'unknown', 'pending') THEN 'sent' ELSE provider_status END
		WHERE id = p_sent_part_id;
	END IF;
	PERFORM 1 FROM conversations c WHERE c.id = p_conversation_id AND c.turn_token = p_token FOR UPDATE;
	IF NOT FOUND THEN
		RETURN QUERY SELECT false, NULL::timestamptz;
		RETURN;
	END IF;
	SELECT min(m.created_at) INTO first_later FROM messages m
	WHERE m.conversation_id = p_conversation_id AND m.direction = 'in' AND m.seq > p_answered_seq;
	RETURN QUERY
	UPDATE conversations c SET
		answered_seq = greatest(c.answered_seq, p_answered_seq),
		department = coalesce(p_department, c.department),
		status = p_status,
		turn_attempts = 0,
		lease_until = 'epoch',
		first_unanswered_at = first_later,
		turn_due_at = CASE WHEN c.last_seq > p_answered_seq
			THEN atende_turn_due_at(c.last_inbound_at, first_later, p_debounce_ms, p_debounce_max_ms) END,
		updated_at = p_now
	WHERE c.id = p_conversation_id AND c.turn_token = p_token
	RETURNING true, c.turn_due_at;
END;
$$;
