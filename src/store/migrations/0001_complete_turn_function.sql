-- Completes a turn in one round trip (see docs/decisions/0004-complete-turn-in-the-database.md).
-- Marks the turn's last part sent (when given), then, fenced by the turn token, records what
-- the turn covered and frees the lease. Two statements with two snapshots, as before: the
-- fence takes the row lock first, so a message whose inbox commit held the lock is visible
-- to the update that follows (a volatile function takes a fresh snapshot per statement).
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
		turn_due_at = CASE WHEN c.last_seq > p_answered_seq THEN least(
			c.last_inbound_at + make_interval(secs => p_debounce_ms / 1000.0),
			first_later + make_interval(secs => p_debounce_max_ms / 1000.0)) END,
		updated_at = p_now
	WHERE c.id = p_conversation_id AND c.turn_token = p_token
	RETURNING true, c.turn_due_at;
END;
$$;
