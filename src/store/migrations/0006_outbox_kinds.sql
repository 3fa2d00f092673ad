ALTER TABLE "conversations" ADD COLUMN "last_outbound_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "outbox_token" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "outbox_lease_until" timestamp with time zone DEFAULT 'epoch' NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "kind" text;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "outbound_seq" integer;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "content" jsonb;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "idempotency_key" text;--> statement-breakpoint
-- Every existing outbound row is a bot reply; number them in the order they were written.
UPDATE "messages" SET "kind" = 'reply', "outbound_seq" = o.n
FROM (SELECT "id", row_number() OVER (PARTITION BY "conversation_id" ORDER BY "seq", "part", "id")::int AS n
      FROM "messages" WHERE "direction" = 'out') o
WHERE "messages"."id" = o."id";
--> statement-breakpoint
UPDATE "conversations" c SET "last_outbound_seq" = m.n
FROM (SELECT "conversation_id", max("outbound_seq") AS n FROM "messages" WHERE "direction" = 'out' GROUP BY "conversation_id") m
WHERE c."id" = m."conversation_id";
--> statement-breakpoint
CREATE INDEX "messages_conversation_order_idx" ON "messages" USING btree ("conversation_id","seq","direction","outbound_seq");--> statement-breakpoint
DROP INDEX "messages_conversation_direction_seq_part_key";--> statement-breakpoint
CREATE UNIQUE INDEX "messages_inbound_seq_key" ON "messages" USING btree ("conversation_id","seq") WHERE "messages"."direction" = 'in';--> statement-breakpoint
CREATE UNIQUE INDEX "messages_reply_seq_part_key" ON "messages" USING btree ("conversation_id","seq","part") WHERE "messages"."kind" = 'reply';--> statement-breakpoint
CREATE UNIQUE INDEX "messages_outbound_seq_key" ON "messages" USING btree ("conversation_id","outbound_seq") WHERE "messages"."direction" = 'out';--> statement-breakpoint
CREATE UNIQUE INDEX "messages_idempotency_key" ON "messages" USING btree ("conversation_id","idempotency_key") WHERE "messages"."idempotency_key" is not null;--> statement-breakpoint
CREATE INDEX "messages_outbox_open_idx" ON "messages" USING btree ("conversation_id","outbound_seq") WHERE "messages"."direction" = 'out' and "messages"."provider_status" in ('pending', 'sending', 'unknown');--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_kind_check" CHECK (("messages"."direction" = 'in' and "messages"."kind" is null and "messages"."outbound_seq" is null)
        or ("messages"."direction" = 'out' and "messages"."kind" in ('reply', 'agent', 'survey', 'menu', 'template') and "messages"."outbound_seq" is not null));
--> statement-breakpoint
DROP FUNCTION atende_complete_turn(bigint, bigint, integer, text, text, timestamptz, integer, integer, bigint, text);
--> statement-breakpoint
-- As in the turn_due_function migration, with the mark-sent fenced: only the send attempt that began the part (its
-- `attempts` and the token that began it, stamped by beginSend) records its wamid, so a
-- stale turn's late answer never overwrites another attempt's (invariant 6).
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
	p_sent_attempt integer
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
		updated_at = p_now
	WHERE c.id = p_conversation_id AND c.turn_token = p_token
	RETURNING true, c.turn_due_at;
END;
$$;
