-- As in the outbox_kinds migration, with the idle timer (CONVERSATION_IDLE_MS) written by the
-- same fenced update that completes the turn: one round trip fewer per answered turn, and a
-- turn that lost the conversation writes neither. p_set_idle false leaves the column as it is.
DROP FUNCTION atende_complete_turn(bigint, bigint, integer, text, text, timestamptz, integer, integer, bigint, text, integer);
--> statement-breakpoint
CREATE FUNCTION atende_complete_turn(
	p_conversation_id bigint,
	p_token bigint,
	p_answered_seq integer,
	p_department text,
	p_status text,
	p_now timestamptz,
	p_debounce_ms integer,
	p_debounce_max_ms integer,
	p_sent_part_id bigint,
	p_sent_wamid text,
	p_sent_attempt integer,
	p_set_idle boolean,
	p_idle_due_at timestamptz
) RETURNS TABLE (completed boolean, turn_due_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
	first_later timestamptz;
BEGIN
	IF p_sent_part_id IS NOT NULL THEN
		-- A status webhook may have raced ahead and set a later status; keep it.
		UPDATE messages SET wamid = coalesce(wamid, p_sent_wamid), sent_at = p_now, updated_at = p_now,
			provider_status = CASE WHEN provider_status IN ('sending', 'unknown') THEN 'sent' ELSE provider_status END
		WHERE id = p_sent_part_id AND attempts = p_sent_attempt AND turn_token = p_token
			AND provider_status NOT IN ('pending', 'superseded');
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
		idle_due_at = CASE WHEN p_set_idle THEN p_idle_due_at ELSE c.idle_due_at END,
		updated_at = p_now
	WHERE c.id = p_conversation_id AND c.turn_token = p_token
	RETURNING true, c.turn_due_at;
END;
$$;
