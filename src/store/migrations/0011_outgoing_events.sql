CREATE TABLE "event_cursors" (
	"name" text PRIMARY KEY NOT NULL,
	"position" timestamp with time zone NOT NULL,
	"owner" text
);
--> statement-breakpoint
CREATE TABLE "outgoing_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "outgoing_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"event_id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"source_key" text NOT NULL,
	"type" text NOT NULL,
	"conversation_id" bigint,
	"contact" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"data" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outgoing_events_event_id_unique" UNIQUE("event_id"),
	CONSTRAINT "outgoing_events_source_key_unique" UNIQUE("source_key")
);
--> statement-breakpoint
CREATE INDEX "outgoing_events_pending_idx" ON "outgoing_events" USING btree ("conversation_id","id") WHERE "outgoing_events"."delivered_at" is null;--> statement-breakpoint
CREATE INDEX "outgoing_events_delivered_idx" ON "outgoing_events" USING btree ("delivered_at") WHERE "outgoing_events"."delivered_at" is not null;--> statement-breakpoint
CREATE INDEX "conversation_events_at_idx" ON "conversation_events" USING btree ("at");