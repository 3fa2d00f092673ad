CREATE TABLE "conversation_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "conversation_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"conversation_id" bigint NOT NULL,
	"from_status" text NOT NULL,
	"to_status" text NOT NULL,
	"cause" text NOT NULL,
	"agent" text,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "nps_surveys" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "nps_surveys_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"conversation_id" bigint,
	"contact_id" bigint,
	"resolved_seq" integer NOT NULL,
	"department" text,
	"due_at" timestamp with time zone NOT NULL,
	"enqueued_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"sent_at" timestamp with time zone,
	"skipped_reason" text,
	"outbox_id" bigint,
	"expires_at" timestamp with time zone,
	"score" integer,
	"category" text,
	"answered_at" timestamp with time zone,
	"comment" text,
	"commented_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "nps_surveys_score_check" CHECK ("nps_surveys"."score" between 0 and 10),
	CONSTRAINT "nps_surveys_category_check" CHECK ("nps_surveys"."category" in ('promoter', 'passive', 'detractor')),
	CONSTRAINT "nps_surveys_answer_check" CHECK (("nps_surveys"."score" is null) = ("nps_surveys"."category" is null) and ("nps_surveys"."score" is null) = ("nps_surveys"."answered_at" is null)),
	CONSTRAINT "nps_surveys_sent_or_skipped_check" CHECK ("nps_surveys"."sent_at" is null or "nps_surveys"."skipped_reason" is null)
);
--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "nps_opted_out_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "last_surveyed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversations" ADD COLUMN "idle_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "conversation_events" ADD CONSTRAINT "conversation_events_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nps_surveys" ADD CONSTRAINT "nps_surveys_conversation_id_conversations_id_fk" FOREIGN KEY ("conversation_id") REFERENCES "public"."conversations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "nps_surveys" ADD CONSTRAINT "nps_surveys_contact_id_contacts_id_fk" FOREIGN KEY ("contact_id") REFERENCES "public"."contacts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversation_events_conversation_idx" ON "conversation_events" USING btree ("conversation_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "nps_surveys_conversation_resolution_key" ON "nps_surveys" USING btree ("conversation_id","resolved_seq");--> statement-breakpoint
CREATE INDEX "nps_surveys_contact_idx" ON "nps_surveys" USING btree ("contact_id");--> statement-breakpoint
CREATE INDEX "nps_surveys_due_idx" ON "nps_surveys" USING btree ("due_at") WHERE "nps_surveys"."sent_at" is null and "nps_surveys"."skipped_reason" is null;--> statement-breakpoint
CREATE INDEX "nps_surveys_expires_idx" ON "nps_surveys" USING btree ("expires_at") WHERE "nps_surveys"."answered_at" is null and "nps_surveys"."expires_at" is not null;--> statement-breakpoint
CREATE INDEX "nps_surveys_answered_idx" ON "nps_surveys" USING btree ("answered_at") WHERE "nps_surveys"."score" is not null;--> statement-breakpoint
CREATE INDEX "conversations_idle_due_idx" ON "conversations" USING btree ("idle_due_at") WHERE "conversations"."idle_due_at" is not null;