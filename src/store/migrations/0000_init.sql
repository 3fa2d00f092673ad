CREATE TABLE "contacts" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "contacts_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"customer_key" text NOT NULL,
	"wa_id" text,
	"user_id" text,
	"profile_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contacts_customer_key_unique" UNIQUE("customer_key")
);
--> statement-breakpoint
CREATE TABLE "conversations" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "conversations_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"phone_number_id" text NOT NULL,
	"contact_id" bigint NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"department" text,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"answered_seq" integer DEFAULT 0 NOT NULL,
	"first_unanswered_at" timestamp with time zone,
	"last_inbound_at" timestamp with time zone,
	"turn_due_at" timestamp with time zone,
	"turn_token" bigint DEFAULT 0 NOT NULL,
	"lease_until" timestamp with time zone DEFAULT 'epoch' NOT NULL,
	"turn_attempts" integer DEFAULT 0 NOT NULL,
	"turn_enqueued_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversations_status_check" CHECK ("conversations"."status" in ('open', 'handoff', 'resolved', 'awaiting_nps', 'closed'))
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "messages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"conversation_id" bigint NOT NULL,
	"direction" text NOT NULL,
	"wamid" text,
	"seq" integer NOT NULL,
	"part" integer DEFAULT 0 NOT NULL,
	"type" text NOT NULL,
	"text" text,
	"media" jsonb,
	"payload" jsonb,
	"provider_status" text NOT NULL,
	"error" jsonb,
	"sent_at" timestamp with time zone,
	"turn_token" bigint,
	"enqueued_at" timestamp with time zone,
	"processed_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "messages_direction_check" CHECK ("messages"."direction" in ('in', 'out'))
);
--> statement-breakpoint
CREATE TABLE "quarantine" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "quarantine_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"reason" text NOT NULL,
	"raw" "bytea" NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "status_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "status_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"wamid" text NOT NULL,
	"status" text NOT NULL,
	"recipient" text,
	"errors" jsonb,
	"payload" jsonb NOT NULL,
	"occurred_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "conversations_number_contact_key" ON "conversations" USING btree ("phone_number_id","contact_id");--> statement-breakpoint
CREATE INDEX "conversations_turn_due_idx" ON "conversations" USING btree ("turn_due_at") WHERE "conversations"."turn_due_at" is not null;--> statement-breakpoint
CREATE UNIQUE INDEX "messages_wamid_key" ON "messages" USING btree ("wamid");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_conversation_direction_seq_part_key" ON "messages" USING btree ("conversation_id","direction","seq","part");--> statement-breakpoint
CREATE INDEX "messages_unprocessed_idx" ON "messages" USING btree ("created_at") WHERE "messages"."processed_at" is null and "messages"."direction" = 'in';--> statement-breakpoint
CREATE INDEX "status_events_wamid_idx" ON "status_events" USING btree ("wamid");